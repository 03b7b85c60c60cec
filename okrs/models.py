from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel
from okrs import lifecycle, querysets, rules
from okrs.choices import (
    CheckInSource,
    CycleState,
    KeyResultKind,
    KpiWindow,
    ObjectiveState,
    ObjectiveType,
    OutcomeKind,
    ReviewDecisionKind,
    ReviewOutcome,
    Status,
    Unit,
)

VALUE = {"max_digits": 18, "decimal_places": 4}
FRACTION = {"max_digits": 9, "decimal_places": 4}
USER = settings.AUTH_USER_MODEL


class Cycle(BaseModel):
    """A planning period (a quarter, a year) in which objectives are pursued."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="cycles", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=80)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    state = models.CharField(
        _("state"), max_length=10, choices=CycleState.choices, default=CycleState.PLANNING
    )
    # Set by cycle_close: a closed cycle's statuses are judged as of this moment, for ever.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # When progress, status and roll-ups of this cycle were last computed (by a write or the schedule).
    figures_updated_at = models.DateTimeField(_("figures updated at"), null=True, blank=True, editable=False)

    objects = querysets.CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="cycle_end_not_before_start",
                violation_error_message=_("The cycle cannot end before it starts."),
            ),
            models.UniqueConstraint("organization", "name", name="cycle_name_unique_per_organization"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.state == CycleState.CLOSED


class Priority(BaseModel):
    """A company priority: the anchor every objective aligns to."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="priorities", verbose_name=_("organization")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    order = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    active = models.BooleanField(_("active"), default=True)

    objects = querysets.PriorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["order", "title"]
        verbose_name_plural = _("priorities")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="priority_weight_not_negative"),
        ]

    def __str__(self):
        return self.title


class Objective(BaseModel):
    """A qualitative goal for a cycle, aligned to a priority and/or a parent objective."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="objectives", verbose_name=_("cycle"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(
        _("type"), max_length=16, choices=ObjectiveType.choices, default=ObjectiveType.COMMITTED
    )
    so_what = models.TextField(_("so what?"), help_text=_("The business outcome this objective moves."))
    outcome_kind = models.CharField(_("outcome"), max_length=16, choices=OutcomeKind.choices)
    owner = models.ForeignKey(USER, models.PROTECT, related_name="owned_objectives", verbose_name=_("owner"))
    team = models.ForeignKey(
        "accounts.Team",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("team"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ObjectiveState.choices, default=ObjectiveState.DRAFT, db_index=True
    )
    priority = models.ForeignKey(
        Priority,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("priority"),
    )
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent objective"),
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    # The OKR template (okrs.okr_templates) it was created from, so that adding it again finds it.
    template_key = models.CharField(_("template"), max_length=40, blank=True, default="", editable=False)
    # Written by the recomputation; read by pages and the API.
    progress = models.DecimalField(_("progress"), default=0, **FRACTION)
    expected_progress = models.DecimalField(_("expected progress"), default=0, **FRACTION)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    last_check_in_at = models.DateTimeField(_("last check-in"), null=True, blank=True)
    # When it closed (cleared when reopened): a closed objective's status is judged as of then.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # The weighted mean of its key results' forecast progress at the cycle's end, with the 80 % interval
    # and the weighted mean of their probabilities of reaching their targets.
    forecast_progress = models.DecimalField(_("forecast progress"), **FRACTION, null=True, blank=True)
    forecast_low = models.DecimalField(_("forecast progress, low end"), **FRACTION, null=True, blank=True)
    forecast_high = models.DecimalField(_("forecast progress, high end"), **FRACTION, null=True, blank=True)
    forecast_probability = models.DecimalField(
        _("probability of reaching the targets"), **FRACTION, null=True, blank=True
    )
    guardrail_breached = models.BooleanField(_("guardrail breached"), default=False)
    # Which key results moved its progress most: {"7": [[key result id, "change"], …], "30": […]}.
    movers = models.JSONField(_("biggest movers"), default=dict, blank=True)
    # The weighted mean of its key results' scores, once it has closed.
    score = models.DecimalField(
        _("score"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    objects = querysets.ObjectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="objective_not_own_parent"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="objective_score_between_0_and_1",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dashboards:objective-detail", args=[self.pk])

    def clean(self):
        super().clean()
        if not self.cycle_id:
            return
        organization_id = self.cycle.organization_id
        errors = {}
        if self.priority_id and self.priority.organization_id != organization_id:
            errors["priority"] = _("The priority belongs to another organization.")
        if self.team_id and self.team.organization_id != organization_id:
            errors["team"] = _("The team belongs to another organization.")
        if self.parent_id:
            if self.parent.cycle.organization_id != organization_id:
                errors["parent"] = _("The parent objective belongs to another organization.")
            elif self._parent_chain_reaches_self():
                errors["parent"] = _(
                    "This parent would make a loop in the cascade: “%(parent)s” already sits under this one."
                ) % {"parent": self.parent.title}
        if errors:
            raise ValidationError(errors)

    @property
    def is_closed(self) -> bool:
        return self.state == ObjectiveState.CLOSED

    @property
    def is_read_only(self) -> bool:
        """Closed, or in a closed cycle: no edits, no new key results, no check-ins."""
        return self.state == ObjectiveState.CLOSED or self.cycle.is_closed

    @property
    def takes_check_ins(self) -> bool:
        return self.state in lifecycle.CHECK_IN_STATES and not self.cycle.is_closed

    @property
    def expected_score(self) -> Decimal:
        """Committed objectives are expected to land at 1.0, aspirational ones at 0.7."""
        return rules.expected_score(self.type)

    @property
    def score_colour(self) -> str | None:
        return None if self.score is None else rules.score_colour(self.score)

    def _parent_chain_reaches_self(self) -> bool:
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                return True
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        return False


class KeyResult(BaseModel):
    """A measurable outcome that moves one objective forward."""

    objective = models.ForeignKey(
        Objective, models.CASCADE, related_name="key_results", verbose_name=_("objective")
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(USER, models.PROTECT, related_name="owned_key_results", verbose_name=_("owner"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=KeyResultKind.choices, default=KeyResultKind.INCREASE
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    start_value = models.DecimalField(_("start value"), **VALUE)
    target_value = models.DecimalField(_("target value"), **VALUE)
    current_value = models.DecimalField(
        _("current value"), **VALUE, help_text=_("Set by the latest check-in; never edited directly.")
    )
    due_date = models.DateField(_("due date"), help_text=_("Defaults to the end of the cycle."))
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    confidence = models.PositiveSmallIntegerField(
        _("confidence"),
        default=5,
        validators=[MaxValueValidator(10)],
        help_text=_("0 (no chance) to 10 (certain)."),
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    # Written by the recomputation.
    attainment = models.DecimalField(_("attainment"), default=0, **FRACTION)
    progress = models.DecimalField(_("progress"), default=0, **FRACTION)
    expected_progress = models.DecimalField(_("expected progress"), default=0, **FRACTION)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    last_check_in_at = models.DateTimeField(_("last check-in"), null=True, blank=True)
    # Set when the cycle closes; the owner may adjust it with a reason.
    score = models.DecimalField(
        _("score"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    score_reason = models.TextField(_("score reason"), blank=True)
    # The forecast at the due date (common.forecasting over the check-ins), written by the recomputation;
    # empty with fewer than three points, for milestones and once closed.
    forecast_value = models.DecimalField(_("forecast"), **VALUE, null=True, blank=True)
    forecast_low = models.DecimalField(_("forecast, low end"), **VALUE, null=True, blank=True)
    forecast_high = models.DecimalField(_("forecast, high end"), **VALUE, null=True, blank=True)
    forecast_probability = models.DecimalField(
        _("probability of reaching the target"), **FRACTION, null=True, blank=True
    )
    # Set while one of its guardrail KPIs (kpis.Guardrail) is past its limit.
    guardrail_breached = models.BooleanField(_("guardrail breached"), default=False)
    # A key result that follows a KPI takes its current value from the KPI's recomputation.
    kpi = models.ForeignKey(
        "kpis.Kpi",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_results",
        verbose_name=_("KPI"),
        help_text=_("When set, the current value comes from this KPI and manual check-ins are refused."),
    )
    kpi_window = models.CharField(
        _("KPI window"), max_length=14, choices=KpiWindow.choices, default=KpiWindow.LATEST_PERIOD
    )

    objects = querysets.KeyResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[KeyResultKind.KEEP_ABOVE, KeyResultKind.KEEP_BELOW])
                | ~Q(target_value=F("start_value")),
                name="kr_target_differs_from_start",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="kr_weight_not_negative"),
            models.CheckConstraint(condition=Q(confidence__lte=10), name="kr_confidence_at_most_10"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="kr_score_between_0_and_1",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.objective.get_absolute_url()

    def clean(self):
        super().clean()
        errors = {}
        if self.start_value is not None and self.target_value is not None:
            errors.update(
                rules.value_errors(kind=self.kind, start=self.start_value, target=self.target_value)
            )
        if self.objective_id:
            cycle = self.objective.cycle
            if self.due_date is not None and not cycle.start <= self.due_date <= cycle.end:
                errors["due_date"] = _("The due date must fall within the cycle (%(start)s to %(end)s).") % {
                    "start": cycle.start,
                    "end": cycle.end,
                }
            if self.kpi_id and self.kpi.organization_id != cycle.organization_id:
                errors["kpi"] = _("The KPI belongs to another organization.")
        if errors:
            raise ValidationError(errors)

    @property
    def score_colour(self) -> str | None:
        return None if self.score is None else rules.score_colour(self.score)


class CheckIn(BaseModel):
    """A reported value of a key result; the latest one sets its current value."""

    key_result = models.ForeignKey(
        KeyResult, models.CASCADE, related_name="check_ins", verbose_name=_("key result")
    )
    value = models.DecimalField(_("value"), **VALUE)
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), validators=[MaxValueValidator(10)], help_text=_("0 (no chance) to 10 (certain).")
    )
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="check_ins", verbose_name=_("author")
    )
    checked_in_at = models.DateTimeField(_("time"), db_index=True)
    source = models.CharField(
        _("source"), max_length=10, choices=CheckInSource.choices, default=CheckInSource.MANUAL
    )
    previous_value = models.DecimalField(_("previous value"), **VALUE)

    objects = querysets.CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-checked_in_at", "-pk"]
        get_latest_by = ["checked_in_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(confidence__lte=10), name="check_in_confidence_at_most_10"),
        ]

    def __str__(self):
        return f"{self.key_result}: {self.value}"

    def clean(self):
        super().clean()
        if self.checked_in_at and self.checked_in_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError({"checked_in_at": _("A check-in cannot be in the future.")})


class ObjectiveStateChange(models.Model):
    """One move of an objective through its lifecycle, with who made it and why: the audit trail."""

    objective = models.ForeignKey(
        Objective, models.CASCADE, related_name="state_changes", verbose_name=_("objective")
    )
    from_state = models.CharField(_("from"), max_length=12, choices=ObjectiveState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=ObjectiveState.choices)
    user = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("objective state change")
        verbose_name_plural = _("objective state changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.objective_id}: {self.from_state} → {self.to_state}"


class KeyResultSnapshot(models.Model):
    """A key result's figures on one day: the history behind trend charts."""

    key_result = models.ForeignKey(
        KeyResult, models.CASCADE, related_name="snapshots", verbose_name=_("key result")
    )
    date = models.DateField(verbose_name=_("date"))
    value = models.DecimalField(**VALUE, verbose_name=_("value"))
    progress = models.DecimalField(**FRACTION, verbose_name=_("progress"))
    expected_progress = models.DecimalField(**FRACTION, verbose_name=_("expected progress"))
    status = models.CharField(max_length=12, choices=Status.choices, verbose_name=_("status"))

    class Meta:
        verbose_name = _("key result snapshot")
        verbose_name_plural = _("key result snapshots")
        ordering = ["date"]
        constraints = [models.UniqueConstraint("key_result", "date", name="kr_snapshot_one_per_day")]

    def __str__(self):
        return f"{self.key_result_id} on {self.date}"


class ObjectiveSnapshot(models.Model):
    """An objective's progress on one day."""

    objective = models.ForeignKey(
        Objective, models.CASCADE, related_name="snapshots", verbose_name=_("objective")
    )
    date = models.DateField(verbose_name=_("date"))
    progress = models.DecimalField(**FRACTION, verbose_name=_("progress"))
    expected_progress = models.DecimalField(**FRACTION, verbose_name=_("expected progress"))
    status = models.CharField(max_length=12, choices=Status.choices, verbose_name=_("status"))

    class Meta:
        verbose_name = _("objective snapshot")
        verbose_name_plural = _("objective snapshots")
        ordering = ["date"]
        constraints = [models.UniqueConstraint("objective", "date", name="objective_snapshot_one_per_day")]

    def __str__(self):
        return f"{self.objective_id} on {self.date}"


class RollUp(models.Model):
    """A team's or a priority's progress in one cycle, from its active and closed objectives."""

    cycle = models.ForeignKey(Cycle, models.CASCADE, related_name="rollups", verbose_name=_("cycle"))
    team = models.ForeignKey(
        "accounts.Team", models.CASCADE, null=True, blank=True, related_name="rollups", verbose_name=_("team")
    )
    priority = models.ForeignKey(
        Priority, models.CASCADE, null=True, blank=True, related_name="rollups", verbose_name=_("priority")
    )
    progress = models.DecimalField(default=0, **FRACTION, verbose_name=_("progress"))
    expected_progress = models.DecimalField(default=0, **FRACTION, verbose_name=_("expected progress"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NOT_STARTED, verbose_name=_("status")
    )
    objective_count = models.PositiveIntegerField(default=0, verbose_name=_("objective count"))
    # Objectives by status, e.g. {"on_track": 2, "at_risk": 1}.
    status_counts = models.JSONField(default=dict, verbose_name=_("status counts"))
    # Which key results moved its progress most, like Objective.movers.
    movers = models.JSONField(default=dict, blank=True, verbose_name=_("biggest movers"))

    class Meta:
        verbose_name = _("roll-up")
        verbose_name_plural = _("roll-ups")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True, priority__isnull=False)
                | Q(team__isnull=False, priority__isnull=True),
                name="rollup_is_team_or_priority",
            ),
            models.UniqueConstraint("cycle", "team", name="rollup_one_per_team_and_cycle"),
            models.UniqueConstraint("cycle", "priority", name="rollup_one_per_priority_and_cycle"),
        ]

    def __str__(self):
        return f"{self.team or self.priority} in {self.cycle}"


class ObjectiveReviewer(BaseModel):
    """A member asked to approve an objective before it becomes active (chosen while it is a draft)."""

    objective = models.ForeignKey(
        Objective, models.CASCADE, related_name="reviewers", verbose_name=_("objective")
    )
    user = models.ForeignKey(
        USER, models.CASCADE, related_name="objective_reviews", verbose_name=_("reviewer")
    )
    # An optional reviewer's decision is recorded and shown, but activation does not wait for it.
    required = models.BooleanField(_("required"), default=True)
    added_by = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )

    class Meta:
        verbose_name = _("objective reviewer")
        verbose_name_plural = _("objective reviewers")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint("objective", "user", name="objective_reviewer_unique")]

    def __str__(self):
        return f"{self.user} reviews {self.objective_id}"


class ReviewRequest(models.Model):
    """One submission of an objective for review: the round its reviewers' decisions belong to."""

    objective = models.ForeignKey(
        Objective, models.CASCADE, related_name="review_requests", verbose_name=_("objective")
    )
    submitted_by = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("submitted by")
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ReviewOutcome.choices, default=ReviewOutcome.OPEN
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "objective", condition=Q(outcome=ReviewOutcome.OPEN), name="review_request_one_open"
            ),
            models.CheckConstraint(
                condition=Q(outcome=ReviewOutcome.OPEN, closed_at__isnull=True)
                | (~Q(outcome=ReviewOutcome.OPEN) & Q(closed_at__isnull=False)),
                name="review_request_closed_when_decided",
            ),
        ]

    def __str__(self):
        return f"Review of {self.objective_id} ({self.outcome})"


class ReviewDecision(models.Model):
    """A reviewer's approval or request for changes, with the comment and the version it judged."""

    request = models.ForeignKey(
        ReviewRequest, models.CASCADE, related_name="decisions", verbose_name=_("request")
    )
    objective = models.ForeignKey(
        Objective, models.CASCADE, related_name="review_decisions", verbose_name=_("objective")
    )
    reviewer = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    decision = models.CharField(_("decision"), max_length=20, choices=ReviewDecisionKind.choices)
    comment = models.TextField(_("comment"), blank=True)
    # The version judged: {"title", "so_what", "key_results": [{"id", "title", "kind", "unit",
    # "start_value", "target_value"}]}, numbers as strings.
    snapshot = models.JSONField(_("version"), default=dict)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision=ReviewDecisionKind.APPROVE) | ~Q(comment=""),
                name="review_decision_changes_need_comment",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer_id} {self.decision} {self.objective_id}"
