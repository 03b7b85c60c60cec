from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from common.models import BaseModel
from notifications.choices import ChannelEvent, DeliveryState, EmailState, NotificationKind, Subject, Weekday

USER = settings.AUTH_USER_MODEL


def default_events() -> list[str]:
    return list(NotificationKind.values)


def validate_events(value) -> None:
    """A list of notification kinds, each known."""
    if not isinstance(value, list) or any(item not in NotificationKind.values for item in value):
        raise ValidationError(
            _("Choose events among: %(kinds)s.") % {"kinds": ", ".join(NotificationKind.values)}
        )


def validate_channel_events(value) -> None:
    if not isinstance(value, list) or any(item not in ChannelEvent.values for item in value):
        raise ValidationError(
            _("Choose events among: %(kinds)s.") % {"kinds": ", ".join(ChannelEvent.values)}
        )


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, *, user, organization):
        return self.filter(recipient=user, organization=organization)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(BaseModel):
    """One message to one person in one organization: an inbox entry, and perhaps a mail."""

    recipient = models.ForeignKey(
        USER, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="notifications", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True, help_text=_("A path on this site."))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Natural key of the event for this person: the same event never makes two notifications.
    key = models.CharField(max_length=200, unique=True, editable=False, verbose_name=_("key"))
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE, verbose_name=_("email state")
    )
    email_attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("email attempts"))
    # Set when the mail is claimed for sending; the hourly limit counts these.
    emailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("emailed at"))

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "organization"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["email_state"], condition=Q(email_state="pending"), name="notification_pending"
            ),
        ]

    def __str__(self):
        return f"{self.recipient_id}: {self.title}"


class NotificationDefaults(BaseModel):
    """An organization's defaults for people who have not chosen, and its damping and mail limits."""

    organization = models.OneToOneField(
        "accounts.Organization",
        models.CASCADE,
        related_name="notification_defaults",
        verbose_name=_("organization"),
    )
    events = models.JSONField(_("events"), default=default_events, validators=[validate_events])
    email = models.BooleanField(_("send email"), default=True)
    digest_weekday = models.PositiveSmallIntegerField(
        _("digest day"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=9, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    alert_after_evaluations = models.PositiveSmallIntegerField(
        _("alert after evaluations"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("A new status must hold for this many consecutive evaluations before anyone is told."),
    )
    emails_per_hour = models.PositiveSmallIntegerField(
        _("emails per person per hour"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Past this, notifications stay in the inbox without a mail."),
    )

    class Meta:
        verbose_name = _("notification defaults")
        verbose_name_plural = _("notification defaults")

    def __str__(self):
        return f"Notification defaults of {self.organization_id}"


class NotificationPreference(BaseModel):
    """What one person wants to hear about in one organization, how, and when their digest arrives."""

    user = models.ForeignKey(
        USER, models.CASCADE, related_name="notification_preferences", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("organization"),
    )
    events = models.JSONField(_("events"), default=default_events, validators=[validate_events])
    email = models.BooleanField(_("send email"), default=True, help_text=_("Off: in-app only."))
    digest_weekday = models.PositiveSmallIntegerField(
        _("digest day"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), default=9, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, e.g. Europe/Madrid."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint("user", "organization", name="notification_preference_unique"),
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="notification_digest_hour_valid"),
            models.CheckConstraint(
                condition=Q(digest_weekday__lte=6), name="notification_digest_weekday_valid"
            ),
        ]

    def __str__(self):
        return f"Preferences of {self.user_id} in {self.organization_id}"


class StatusTracker(models.Model):
    """Damping of one key result's, objective's or KPI's status: what was last told and what is pending.

    `candidate_status` is the status seen at the latest evaluation and `evaluations` how many
    consecutive evaluation windows saw it (the latest starting at `window_start`); once that reaches the
    organization's threshold and differs from `notified_status`, people are told and it becomes the
    notified status.
    """

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    subject = models.CharField(max_length=12, choices=Subject.choices, verbose_name=_("subject"))
    subject_id = models.BigIntegerField(verbose_name=_("subject id"))
    notified_status = models.CharField(max_length=12, verbose_name=_("notified status"))
    candidate_status = models.CharField(max_length=12, verbose_name=_("candidate status"))
    evaluations = models.PositiveIntegerField(default=1, verbose_name=_("evaluations"))
    window_start = models.DateTimeField(verbose_name=_("window start"))
    # A KPI alerted red since its last green: its next settled green is celebrated.
    alerted = models.BooleanField(default=False, verbose_name=_("alerted"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("status tracker")
        verbose_name_plural = _("status trackers")
        constraints = [models.UniqueConstraint("subject", "subject_id", name="status_tracker_unique")]

    def __str__(self):
        told, seen = self.notified_status, f"{self.candidate_status} ×{self.evaluations}"
        return f"{self.subject} {self.subject_id}: {told} ({seen})"


class ObjectiveFollower(models.Model):
    """A person who asked to hear about an objective's celebrations (and alerts) without owning it."""

    objective = models.ForeignKey(
        "okrs.Objective", models.CASCADE, related_name="followers", verbose_name=_("objective")
    )
    user = models.ForeignKey(USER, models.CASCADE, related_name="followed_objectives", verbose_name=_("user"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objective follower")
        verbose_name_plural = _("objective followers")
        constraints = [models.UniqueConstraint("objective", "user", name="objective_follower_unique")]

    def __str__(self):
        return f"{self.user_id} follows {self.objective_id}"


class TeamChannel(BaseModel):
    """A team's chat channel (Slack or Microsoft Teams incoming webhook) and the events it receives."""

    team = models.ForeignKey(
        "accounts.Team", models.CASCADE, related_name="chat_channels", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For you, e.g. “#sales-wins”."))
    url = models.URLField(
        _("incoming-webhook URL"), max_length=500, help_text=_("The channel's incoming-webhook address.")
    )
    events = models.JSONField(
        _("events"), default=list, validators=[validate_channel_events], help_text=_("Which events to post.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team channel")
        verbose_name_plural = _("team channels")
        ordering = ["team__name", "name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.team})"


class ChannelMessage(BaseModel):
    """One event posted (or to post) to one chat channel; the key makes a repeated event post once."""

    channel = models.ForeignKey(
        TeamChannel, models.CASCADE, related_name="messages", verbose_name=_("channel")
    )
    key = models.CharField(max_length=200, verbose_name=_("key"))
    text = models.TextField(verbose_name=_("text"))
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, verbose_name=_("state")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("status code"))
    error = models.CharField(max_length=500, blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("channel message")
        verbose_name_plural = _("channel messages")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint("channel", "key", name="channel_message_once")]

    def __str__(self):
        return f"{self.channel_id}: {self.key} ({self.state})"
