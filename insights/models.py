from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel
from insights.choices import ImpactVerdict, ReviewCadence, ReviewState

USER = settings.AUTH_USER_MODEL


class Initiative(BaseModel):
    """A piece of work (a campaign, a new playbook) meant to move some key results and KPIs."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="initiatives", verbose_name=_("organization")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    team = models.ForeignKey(
        "accounts.Team",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("team"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    key_results = models.ManyToManyField(
        "okrs.KeyResult", blank=True, related_name="initiatives", verbose_name=_("key results")
    )
    kpis = models.ManyToManyField("kpis.Kpi", blank=True, related_name="initiatives", verbose_name=_("KPIs"))

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="initiative_end_not_before_start",
                violation_error_message=_("The initiative cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("insights:initiative-detail", args=[self.pk])


class InitiativeImpact(models.Model):
    """One linked KPI compared over equal windows before and during an initiative (by the recomputation)."""

    initiative = models.ForeignKey(
        Initiative, models.CASCADE, related_name="impacts", verbose_name=_("initiative")
    )
    kpi = models.ForeignKey("kpis.Kpi", models.CASCADE, related_name="+", verbose_name=_("KPI"))
    # The two windows, as dates in the organization's time zone: [before_start, start) and [start, until).
    before_start = models.DateField(_("before, from"))
    until = models.DateField(_("during, until"))
    before = models.DecimalField(_("before"), max_digits=30, decimal_places=6, null=True, blank=True)
    during = models.DecimalField(_("during"), max_digits=30, decimal_places=6, null=True, blank=True)
    before_periods = models.PositiveIntegerField(_("periods before"), default=0)
    during_periods = models.PositiveIntegerField(_("periods during"), default=0)
    # (during - before) / |before|, and the KPI's usual period-to-period change before the initiative
    # (the median absolute relative change).
    change = models.DecimalField(_("change"), max_digits=14, decimal_places=4, null=True, blank=True)
    usual_variation = models.DecimalField(
        _("usual variation"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    verdict = models.CharField(
        _("verdict"), max_length=10, choices=ImpactVerdict.choices, default=ImpactVerdict.UNKNOWN
    )
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("initiative impact")
        verbose_name_plural = _("initiative impacts")
        ordering = ["initiative", "kpi"]
        constraints = [models.UniqueConstraint("initiative", "kpi", name="initiative_impact_one_per_kpi")]

    def __str__(self):
        return f"{self.initiative_id} on {self.kpi_id}: {self.change}"


class BusinessReview(BaseModel):
    """A weekly or monthly business review of an organization or one team: agenda, notes and decisions."""

    organization = models.ForeignKey(
        "accounts.Organization",
        models.CASCADE,
        related_name="business_reviews",
        verbose_name=_("organization"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="business_reviews",
        verbose_name=_("team"),
    )
    cadence = models.CharField(
        _("cadence"), max_length=10, choices=ReviewCadence.choices, default=ReviewCadence.WEEKLY
    )
    held_on = models.DateField(_("date"))
    # What the review covers: from the previous review of the same scope (or one cadence back) to now.
    covers_from = models.DateTimeField(_("covers from"))
    state = models.CharField(_("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    # Generated from the stored figures when the review is prepared (insights.services.reviews.agenda_build)
    # and kept as it was once the review is closed.
    agenda = models.JSONField(_("agenda"), default=dict, blank=True, editable=False)
    prepared_at = models.DateTimeField(_("prepared at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("business review")
        verbose_name_plural = _("business reviews")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.team or self.organization} {self.held_on}"

    def get_absolute_url(self):
        return reverse("insights:review-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == ReviewState.OPEN


class ActionItem(BaseModel):
    """Something a review decided to do, with an owner and a due date; open ones carry over."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="action_items", verbose_name=_("organization")
    )
    review = models.ForeignKey(
        BusinessReview, models.CASCADE, related_name="action_items", verbose_name=_("raised in")
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    key_result = models.ForeignKey(
        "okrs.KeyResult",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key result"),
    )
    kpi = models.ForeignKey(
        "kpis.Kpi", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("KPI")
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["done_at", "due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None
