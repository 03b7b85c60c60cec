import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.choices import InvitationState, Role, StatusBasis, TeamKind
from common.models import BaseModel


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as Europe/Madrid or America/New_York."""
    if value not in _time_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone; use an IANA name such as Europe/Madrid or America/New_York."),
            code="invalid_time_zone",
            params={"value": value},
        )


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(memberships__user=user)


class Organization(BaseModel):
    """A company using Rumbo; every other row belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    # The first month of the fiscal year: the guided start proposes the fiscal quarter as the first cycle
    # (okrs.okr_templates.quarter_of).
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year start month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 for January. Cycles proposed by the guided start follow the fiscal quarters."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, e.g. Europe/Madrid."),
    )
    # Status thresholds and check-in cadence: the defaults live in okrs.rules.StatusThresholds.
    on_track_margin = models.DecimalField(
        _("on-track margin"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        help_text=_("A key result is on track while its progress is at least expected progress minus this."),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    at_risk_margin = models.DecimalField(
        _("at-risk margin"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.250"),
        help_text=_(
            "Below the on-track margin but within this one, a key result is at risk; below, off track."
        ),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    check_in_cadence_days = models.PositiveSmallIntegerField(
        _("check-in cadence (days)"),
        default=14,
        validators=[MinValueValidator(1)],
        help_text=_("A key result whose last check-in is older than this is stale."),
    )
    # okrs.rules.status: linear expected progress, or the forecast's probability of reaching the target.
    status_basis = models.CharField(
        _("status basis"),
        max_length=10,
        choices=StatusBasis.choices,
        default=StatusBasis.EXPECTED,
        help_text=_(
            "Judge “on track” by progress against the time elapsed, or by the forecast: on track when "
            "the target is more likely than not to be reached."
        ),
    )
    # Stakeholder review (okrs.services.reviews): when on, an objective in review becomes active only
    # through its required reviewers' approvals.
    review_required = models.BooleanField(
        _("review required"),
        default=False,
        help_text=_("Objectives become active only once every required reviewer has approved them."),
    )
    # The 10-minute RevOps diagnostic (diagnostics app): when on, anyone may take it without signing in.
    public_diagnostic = models.BooleanField(
        _("public diagnostic"),
        default=False,
        help_text=_(
            "Open the RevOps diagnostic at /diagnostic/ to people without an account, e.g. prospects."
        ),
    )
    # The guided start (onboarding app): set once an admin finishes or skips it.
    setup_completed_at = models.DateTimeField(_("set-up completed at"), null=True, blank=True, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(at_risk_margin__gte=models.F("on_track_margin")),
                name="organization_at_risk_margin_wider",
                violation_error_message=_("The at-risk margin must be at least the on-track margin."),
            )
        ]

    def __str__(self):
        return self.name


class TeamQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)


class Team(BaseModel):
    """A group of people in one organization (sales, marketing, customer success…)."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="teams", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices, default=TeamKind.OTHER)
    parent = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("parent team")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("lead"),
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organization", "name", name="team_name_unique_per_organization")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        if self.parent.organization_id != self.organization_id:
            raise ValidationError({"parent": _("The parent team must belong to the same organization.")})
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A team cannot be its own ancestor.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class MembershipQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(active=True)


class Membership(BaseModel):
    """A person's place in an organization: their role and their teams."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    teams = models.ManyToManyField(Team, blank=True, related_name="memberships", verbose_name=_("teams"))
    # A member who leaves is deactivated, never deleted, so that history keeps their name; an inactive
    # membership gives no access to its organization.
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive members can no longer sign in to this organization.")
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "user__username"]
        constraints = [models.UniqueConstraint("user", "organization", name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.EDITOR)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class InvitationQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def pending(self):
        """Neither accepted nor revoked; a pending invitation may still have expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(BaseModel):
    """An email address asked to join an organization with a role and teams, through a single-use link."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="invitations", verbose_name=_("organization")
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    teams = models.ManyToManyField(Team, blank=True, related_name="invitations", verbose_name=_("teams"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    # Part of the signed link; a new key (on resend) makes every earlier link of this invitation void.
    key = models.CharField(max_length=43, editable=False, verbose_name=_("key"))
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
                violation_error_message=_(
                    "This address already has a pending invitation: resend it instead."
                ),
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.organization} ({self.get_role_display()})"

    def state(self, now) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= now:
            return InvitationState.EXPIRED
        return InvitationState.PENDING


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class ApiToken(BaseModel):
    """A personal token an integration sends as `Authorization: Bearer <token>`; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses it, e.g. “CRM sync”."))
    # The first characters of the token, shown so that a person can tell their tokens apart.
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token hash"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class Profile(BaseModel):
    """One person's own preferences, whatever organization they work in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the organization's language."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)
