from datetime import timedelta

from django.conf import settings
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel
from kpis import querysets, rules
from kpis.choices import (
    Aggregation,
    Cadence,
    Direction,
    Family,
    GuardrailComparison,
    KpiStatus,
    KpiUnit,
    MeasurementSource,
    RunState,
)

# Raw measurements: up to 14 digits before the decimal point and 6 after.
MEASUREMENT_VALUE = {"max_digits": 20, "decimal_places": 6}
# Period values: a sum of a million measurements still fits.
PERIOD_VALUE = {"max_digits": 30, "decimal_places": 6}
THRESHOLD = {"max_digits": 20, "decimal_places": 6, "null": True, "blank": True}

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    _("Use lower-case letters, digits and underscores, starting with a letter (e.g. deals_won)."),
)


class Kpi(BaseModel):
    """A key performance indicator of one organization: measured, or computed from other KPIs."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="kpis", verbose_name=_("organization")
    )
    code = models.CharField(
        _("code"),
        max_length=50,
        validators=[code_validator, MinLengthValidator(2)],
        help_text=_("Unique in the organization; formulas refer to KPIs by this code."),
    )
    name = models.CharField(_("name"), max_length=200)
    family = models.CharField(_("family"), max_length=20, choices=Family.choices)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=KpiUnit.choices, default=KpiUnit.NUMBER)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    aggregation = models.CharField(
        _("aggregation"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_("How the measurements within one period make the period's value."),
    )
    formula = models.CharField(
        _("formula"),
        max_length=500,
        blank=True,
        help_text=_(
            "Leave empty for a measured KPI, or compute it from other KPIs: 100 * deals_won / deals_closed"
        ),
    )
    target = models.DecimalField(_("target"), **THRESHOLD)
    warning_threshold = models.DecimalField(
        _("warning threshold"), **THRESHOLD, help_text=_("Worse than this, the KPI is amber.")
    )
    critical_threshold = models.DecimalField(
        _("critical threshold"), **THRESHOLD, help_text=_("Worse than this, the KPI is red.")
    )
    baseline = models.DecimalField(_("baseline"), **THRESHOLD)
    benchmark = models.DecimalField(
        _("industry benchmark"), **THRESHOLD, help_text=_("A typical value in the industry, if known.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_kpis",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team", models.SET_NULL, null=True, blank=True, related_name="kpis", verbose_name=_("team")
    )
    priorities = models.ManyToManyField(
        "okrs.Priority", blank=True, related_name="kpis", verbose_name=_("priorities served")
    )
    objectives = models.ManyToManyField(
        "okrs.Objective", blank=True, related_name="kpis", verbose_name=_("objectives served")
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Archived KPIs keep their history."))
    # Set when the definition changes; the next recomputation redoes every period of this KPI.
    recompute_requested_at = models.DateTimeField(
        null=True, blank=True, default=timezone.now, editable=False, verbose_name=_("recompute requested at")
    )

    # When the formula, aggregation or cadence last changed after the KPI was created (kpis.quality).
    definition_changed_at = models.DateTimeField(
        _("definition changed at"), null=True, blank=True, editable=False
    )
    # Written by the recomputation (kpis.services.insights) ---------------------------------------------
    # The value projected for the period that holds the horizon (the active cycle's end), with its 80 %
    # interval and the probability of being on or better than the target then.
    forecast_period_start = models.DateField(_("forecast period"), null=True, blank=True, editable=False)
    forecast_value = models.DecimalField(_("forecast"), **PERIOD_VALUE, null=True, blank=True, editable=False)
    forecast_low = models.DecimalField(
        _("forecast, low end"), **PERIOD_VALUE, null=True, blank=True, editable=False
    )
    forecast_high = models.DecimalField(
        _("forecast, high end"), **PERIOD_VALUE, null=True, blank=True, editable=False
    )
    forecast_probability = models.DecimalField(
        _("probability of reaching the target"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
    )
    # 0 to 1, and what lowered it: [{"kind", "severity", "detail", "period", "count"}, …] (kpis.quality).
    quality_score = models.DecimalField(
        _("data quality"), max_digits=5, decimal_places=4, null=True, blank=True, editable=False
    )
    quality_issues = models.JSONField(_("data-quality issues"), default=list, blank=True, editable=False)
    quality_checked_at = models.DateTimeField(
        _("data quality checked"), null=True, blank=True, editable=False
    )
    # The change of the last complete period against the one before, as a fraction of the earlier value,
    # signed so that positive is better (kpis.rules.improvement).
    trend = models.DecimalField(
        _("trend"), max_digits=14, decimal_places=4, null=True, blank=True, editable=False
    )
    trend_period_start = models.DateField(_("trend period"), null=True, blank=True, editable=False)
    # A formula KPI's latest change split between its inputs: {"period_start", "previous_period_start",
    # "change", "inputs": [{"code", "name", "before", "after", "contribution"}, …]} (kpis.formulas).
    contributions = models.JSONField(_("contributions"), default=dict, blank=True, editable=False)

    objects = querysets.KpiQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["family", "name"]
        constraints = [
            models.UniqueConstraint("organization", "code", name="kpi_code_unique_per_organization"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_formula(self) -> bool:
        return bool(self.formula)


class Measurement(models.Model):
    """One raw value of a measured KPI at a moment, as sent by a source system."""

    # Both foreign keys are covered by the composite indexes below; separate ones would slow inserts.
    organization = models.ForeignKey(
        "accounts.Organization",
        models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("organization"),
    )
    kpi = models.ForeignKey(
        Kpi, models.CASCADE, related_name="measurements", db_index=False, verbose_name=_("kpi")
    )
    timestamp = models.DateTimeField(_("timestamp"))
    value = models.DecimalField(_("value"), **MEASUREMENT_VALUE)
    source = models.CharField(_("source"), max_length=10, choices=MeasurementSource.choices)
    # NULL, not "", for "no key": NULLs never collide in the unique constraint below.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=128, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    objects = querysets.MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-timestamp", "-pk"]
        indexes = [models.Index(fields=["kpi", "timestamp"], name="measurement_kpi_time")]
        constraints = [
            # NULL keys are distinct from each other, so measurements without a key never collide.
            models.UniqueConstraint(
                "organization", "idempotency_key", name="measurement_idempotency_key_unique"
            ),
        ]

    def __str__(self):
        return f"{self.kpi_id} @ {self.timestamp:%Y-%m-%d %H:%M}: {self.value}"


class KpiValue(models.Model):
    """A KPI's value for one period of its cadence, with status and change; written by the recomputation."""

    kpi = models.ForeignKey(
        Kpi, models.CASCADE, related_name="values", db_index=False, verbose_name=_("kpi")
    )  # see the constraint
    period_start = models.DateField(_("period start"), help_text=_("In the organization's time zone."))
    value = models.DecimalField(_("value"), **PERIOD_VALUE, null=True, blank=True)
    measurement_count = models.PositiveIntegerField(_("measurements"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=KpiStatus.choices, default=KpiStatus.NONE)
    on_target = models.BooleanField(_("on or better than target"), null=True, blank=True)
    # The period had not ended (in the organization's time zone) when it was computed; its previous value
    # is then the earlier period's value over the same span, which ends at `compared_until`.
    in_progress = models.BooleanField(_("in progress"), default=False)
    previous_value = models.DecimalField(_("previous value"), **PERIOD_VALUE, null=True, blank=True)
    previous_period_start = models.DateField(_("previous period start"), null=True, blank=True)
    compared_until = models.DateTimeField(_("compared until"), null=True, blank=True)
    change = models.DecimalField(_("change"), **PERIOD_VALUE, null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = querysets.KpiValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI value")
        ordering = ["kpi", "period_start"]
        constraints = [models.UniqueConstraint("kpi", "period_start", name="kpi_value_one_per_period")]
        indexes = [
            # Each run looks up the periods still marked in progress, a few rows among many.
            models.Index(fields=["kpi"], condition=Q(in_progress=True), name="kpi_value_in_progress"),
        ]

    def __str__(self):
        return f"{self.kpi_id} {self.period_start}: {self.value}"

    @property
    def period_last_day(self):
        return rules.period_end(self.period_start, self.kpi.cadence) - timedelta(days=1)

    @property
    def previous_period_last_day(self):
        if self.previous_period_start is None:
            return None
        return rules.period_end(self.previous_period_start, self.kpi.cadence) - timedelta(days=1)

    @property
    def comparison(self) -> str | None:
        """What the previous value covers: the earlier period's "same_span" as this period in progress,
        or the whole "previous_period"; None without a previous value."""
        if self.previous_value is None:
            return None
        return "same_span" if self.in_progress else "previous_period"

    @property
    def status_label(self) -> str:
        """The status in words, e.g. "Below target, within tolerance"."""
        return rules.kpi_status_label(
            status=self.status,
            on_target=self.on_target,
            direction=self.kpi.direction,
            has_warning=self.kpi.warning_threshold is not None,
        )


class KpiRun(models.Model):
    """One recomputation of an organization's KPIs: what it touched and how it ended."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="kpi_runs", verbose_name=_("organization")
    )
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    full = models.BooleanField(_("full"), default=False)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Measurements with ids in (watermark_from, watermark_to] were taken into account.
    watermark_from = models.BigIntegerField(default=0, verbose_name=_("watermark from"))
    watermark_to = models.BigIntegerField(default=0, verbose_name=_("watermark to"))
    kpis_recomputed = models.PositiveIntegerField(_("KPIs recomputed"), default=0)
    periods_recomputed = models.PositiveIntegerField(_("periods recomputed"), default=0)
    key_results_synced = models.PositiveIntegerField(_("key results updated"), default=0)
    # The organization's data-quality score after this run: the mean of its KPIs' scores.
    quality_score = models.DecimalField(
        _("data quality"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    kpi_codes = models.JSONField(_("KPI codes"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = querysets.KpiRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI recomputation run")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(watermark_to__gte=models.F("watermark_from")), name="kpi_run_watermark_forward"
            )
        ]

    def __str__(self):
        return f"{self.organization_id} {self.started_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class Guardrail(BaseModel):
    """A KPI a key result must not push past a limit while it moves (a counter-metric)."""

    key_result = models.ForeignKey(
        "okrs.KeyResult", models.CASCADE, related_name="guardrails", verbose_name=_("key result")
    )
    kpi = models.ForeignKey(Kpi, models.CASCADE, related_name="guardrails", verbose_name=_("KPI"))
    comparison = models.CharField(
        _("must stay"),
        max_length=10,
        choices=GuardrailComparison.choices,
        default=GuardrailComparison.AT_MOST,
    )
    limit = models.DecimalField(_("limit"), max_digits=20, decimal_places=6)
    # Written when the KPI's values or the guardrail change: the KPI's latest period value and whether
    # it is past the limit.
    value = models.DecimalField(_("latest value"), **PERIOD_VALUE, null=True, blank=True, editable=False)
    breached = models.BooleanField(_("breached"), default=False, editable=False)
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("guardrail")
        verbose_name_plural = _("guardrails")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint("key_result", "kpi", name="guardrail_one_per_kpi")]

    def __str__(self):
        return f"{self.kpi_id} {self.comparison} {self.limit}"
