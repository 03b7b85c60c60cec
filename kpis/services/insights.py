"""What the KPI recomputation derives from the period values, after them: forecasts, data quality,
trends, the split of formula changes between their inputs, and guardrails.

Each run refreshes the KPIs it touched, and every KPI not checked for an hour (freshness changes with
time alone); figures are written only when they differ, so a second run changes nothing. Called by
kpis.services.recompute inside the run; guardrails also by the guardrail services, at once.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import Organization
from common.forecasting import forecast
from common.models import assign_changed
from common.timezones import zone_or_utc
from kpis import formulas, quality, rules, signals
from kpis.choices import Cadence, Direction, GuardrailComparison, MeasurementSource
from kpis.models import Guardrail, Kpi, KpiValue, Measurement
from kpis.services.sync import latest_values
from okrs import services as okr_services
from okrs.choices import CycleState

logger = logging.getLogger(__name__)

# The code of the KPI that follows the organization's data-quality score (the catalog's "Data quality").
DATA_QUALITY_CODE = "data_quality"
RECHECK_AFTER = timedelta(hours=1)
# How far back the figures look, per cadence.
HISTORY_DAYS = {Cadence.DAILY: 120, Cadence.WEEKLY: 730, Cadence.MONTHLY: 1830, Cadence.QUARTERLY: 3660}
# A quality score that falls this much from one run to the next is an alert.
QUALITY_DROP = Decimal("0.10")
MEASUREMENT_SAMPLE = 1000
FORECAST_FIELDS = [
    "forecast_period_start",
    "forecast_value",
    "forecast_low",
    "forecast_high",
    "forecast_probability",
]
INSIGHT_FIELDS = [
    *FORECAST_FIELDS,
    "quality_score",
    "quality_issues",
    "quality_checked_at",
    "trend",
    "trend_period_start",
    "contributions",
]
PERIOD_LIMIT = Decimal(10) ** 23
QUANTUM = Decimal("0.000001")


@dataclass
class InsightsResult:
    kpis: int = 0
    changed: int = 0
    quality_score: Decimal | None = None
    drops: list[tuple[Kpi, Decimal | None, Decimal]] = field(default_factory=list)


def kpi_insights_refresh(
    *, organization: Organization, now: datetime, kpi_ids: set[int] | None = None
) -> InsightsResult:
    """Refresh the derived figures of these KPIs (all when None) and of those not checked for an hour."""
    zone = zone_or_utc(organization.time_zone)
    kpis = Kpi.objects.for_organization(organization).active()
    if kpi_ids is not None:
        kpis = kpis.filter(
            Q(pk__in=kpi_ids)
            | Q(quality_checked_at__isnull=True)
            | Q(quality_checked_at__lt=now - RECHECK_AFTER)
        )
    kpis = list(kpis)
    result = InsightsResult(kpis=len(kpis))
    if kpis:
        _refresh(organization, kpis, result, zone=zone, now=now)
    result.quality_score = organization_quality(organization)
    _record_quality(organization, result.quality_score, now=now, zone=zone)
    if result.drops:
        signals.quality_dropped.send(sender=Kpi, organization=organization, drops=result.drops)
    return result


def _refresh(
    organization: Organization, kpis: list[Kpi], result: InsightsResult, *, zone, now: datetime
) -> None:
    """Compute every derived figure of `kpis` and write those that differ (one UPDATE per 500 KPIs)."""
    today = timezone.localtime(now, zone).date()
    history = _history(kpis, today)
    horizon = _horizon(organization, today)
    facts = _measurement_facts(kpis, zone=zone, now=now)
    by_code = {kpi.code: kpi for kpi in Kpi.objects.for_organization(organization).only("pk", "code", "name")}
    inputs = _input_history(kpis, by_code, history, today)
    changed = []
    for kpi in kpis:
        before = kpi.quality_score
        rows = history[kpi.pk]
        values = {
            **_forecast(kpi, rows, horizon),
            **_quality(kpi, rows, facts, today=today, zone=zone, now=now),
            **_trend(kpi, rows),
            "contributions": _contributions(kpi, rows, inputs, by_code),
        }
        values.pop("quality_checked_at")
        due = kpi.quality_checked_at is None or kpi.quality_checked_at < now - RECHECK_AFTER
        if assign_changed(kpi, values) or due:
            kpi.quality_checked_at = now
            changed.append(kpi)
        if (
            before is not None
            and kpi.quality_score is not None
            and before - kpi.quality_score >= QUALITY_DROP
        ):
            result.drops.append((kpi, before, kpi.quality_score))
    Kpi.objects.bulk_update(changed, INSIGHT_FIELDS, batch_size=500)
    result.changed = len(changed)


def organization_quality(organization: Organization) -> Decimal | None:
    """The organization's data-quality score: the mean of its active KPIs' (the data-quality KPI aside)."""
    scores = (
        Kpi.objects.for_organization(organization)
        .active()
        .exclude(code=DATA_QUALITY_CODE)
        .values_list("quality_score", flat=True)
    )
    return quality.organization_score(list(scores))


# History -------------------------------------------------------------------------------------------


def _history(kpis: list[Kpi], today: date) -> dict[int, list[KpiValue]]:
    """Each KPI's period values over HISTORY_DAYS of its cadence, oldest first (one query)."""
    windows = Q()
    for cadence, days in HISTORY_DAYS.items():
        ids = [kpi.pk for kpi in kpis if kpi.cadence == cadence]
        if ids:
            windows |= Q(kpi_id__in=ids, period_start__gte=today - timedelta(days=days))
    history = defaultdict(list)
    for row in KpiValue.objects.filter(windows).order_by("kpi_id", "period_start"):
        history[row.kpi_id].append(row)
    return history


def _input_history(kpis, by_code, history, today) -> dict[int, dict[date, Decimal | None]]:
    """The period values of formula inputs that are not among `kpis` (one query when there are any)."""
    wanted = set()
    for kpi in kpis:
        if kpi.formula:
            try:
                codes = formulas.references(formulas.parse(kpi.formula))
            except formulas.FormulaError:
                continue
            wanted |= {by_code[code].pk for code in codes if code in by_code}
    values = {pk: {row.period_start: row.value for row in history[pk]} for pk in wanted if pk in history}
    missing = wanted - set(values)
    if missing:
        since = today - timedelta(days=max(HISTORY_DAYS.values()))
        for kpi_id, start, value in KpiValue.objects.filter(
            kpi_id__in=missing, period_start__gte=since
        ).values_list("kpi_id", "period_start", "value"):
            values.setdefault(kpi_id, {})[start] = value
    return values


def _complete(rows: list[KpiValue]) -> list[KpiValue]:
    return [row for row in rows if not row.in_progress and row.value is not None]


# Forecast ------------------------------------------------------------------------------------------


def _horizon(organization: Organization, today: date) -> date:
    """The last day forecasts look to: the end of the active cycle that holds today, else of the quarter."""
    from okrs.models import Cycle

    cycle = (
        Cycle.objects.filter(
            organization=organization, state=CycleState.ACTIVE, start__lte=today, end__gte=today
        )
        .order_by("end")
        .first()
    )
    if cycle is not None:
        return cycle.end
    return rules.period_end(rules.period_start(today, Cadence.QUARTERLY), Cadence.QUARTERLY) - timedelta(
        days=1
    )


def _forecast(kpi: Kpi, rows: list[KpiValue], horizon: date) -> dict:
    """The value projected for the period holding `horizon`, from the complete periods before it."""
    complete = _complete(rows)
    target_period = rules.period_start(horizon, kpi.cadence)
    if len(complete) < 3 or target_period <= complete[-1].period_start:
        return dict.fromkeys(FORECAST_FIELDS)
    origin = complete[0].period_start
    result = forecast(
        [((row.period_start - origin).days, float(row.value)) for row in complete],
        horizon=(target_period - origin).days,
        target=float(kpi.target) if kpi.target is not None else None,
        higher_is_better=kpi.direction == Direction.HIGHER_IS_BETTER,
        season=7 if kpi.cadence == Cadence.DAILY else None,
    )
    if result is None:
        return dict.fromkeys(FORECAST_FIELDS)
    value, low, high = (_decimal(number) for number in (result.value, result.low, result.high))
    if value is None or low is None or high is None:
        return dict.fromkeys(FORECAST_FIELDS)
    probability = None
    if result.probability is not None:
        probability = Decimal(repr(result.probability)).quantize(Decimal("0.0001"))
    return {
        "forecast_period_start": target_period,
        "forecast_value": value,
        "forecast_low": low,
        "forecast_high": high,
        "forecast_probability": probability,
    }


def _decimal(number: float) -> Decimal | None:
    try:
        value = Decimal(repr(float(number))).quantize(QUANTUM)
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return value if abs(value) < PERIOD_LIMIT else None


# Data quality --------------------------------------------------------------------------------------


@dataclass
class _Facts:
    last: dict[int, datetime] = field(default_factory=dict)
    recent: dict[int, list[Decimal]] = field(default_factory=lambda: defaultdict(list))
    duplicates: dict[int, tuple[int, datetime]] = field(default_factory=dict)


def _measurement_facts(kpis: list[Kpi], *, zone, now: datetime) -> _Facts:
    """Per measured KPI: its latest measurement, the last month's values and its suspected duplicates."""
    facts = _Facts()
    ids = [kpi.pk for kpi in kpis if not kpi.formula]
    if not ids:
        return facts
    measurements = Measurement.objects.filter(kpi_id__in=ids)
    for kpi_id, last in (
        measurements.values("kpi_id").annotate(last=Max("timestamp")).values_list("kpi_id", "last")
    ):
        facts.last[kpi_id] = timezone.localtime(last, zone)
    since = now - timedelta(days=quality.MEASUREMENT_DAYS)
    recent = measurements.filter(timestamp__gte=since).exclude(source=MeasurementSource.SYSTEM)
    for kpi_id, value in recent.order_by("kpi_id", "-timestamp").values_list("kpi_id", "value"):
        if len(facts.recent[kpi_id]) < MEASUREMENT_SAMPLE:
            facts.recent[kpi_id].append(value)
    groups = (
        measurements.filter(idempotency_key__isnull=True)
        .values("kpi_id", "timestamp", "value")
        .annotate(rows=Count("id"))
        .filter(rows__gt=1)
        .values_list("kpi_id", "timestamp", "rows")
    )
    for kpi_id, moment, rows in groups:
        count, example = facts.duplicates.get(kpi_id, (0, None))
        facts.duplicates[kpi_id] = (count + rows - 1, example or timezone.localtime(moment, zone))
    return facts


def _quality(kpi: Kpi, rows: list[KpiValue], facts: _Facts, *, today: date, zone, now: datetime) -> dict:
    duplicates, example = facts.duplicates.get(kpi.pk, (0, None))
    changed = kpi.definition_changed_at
    assessment = quality.assess(
        quality.QualityInput(
            cadence=kpi.cadence,
            today=today,
            created_on=timezone.localtime(kpi.created_at, zone).date(),
            periods=[quality.Period(row.period_start, row.value, row.in_progress) for row in rows],
            measured=not kpi.formula,
            last_measurement_at=facts.last.get(kpi.pk),
            measurement_values=facts.recent.get(kpi.pk, []),
            duplicates=duplicates,
            duplicate_example=example,
            definition_changed_on=timezone.localtime(changed, zone).date() if changed else None,
        )
    )
    return {"quality_score": assessment.score, "quality_issues": assessment.issues, "quality_checked_at": now}


def _record_quality(organization: Organization, score: Decimal | None, *, now: datetime, zone) -> None:
    """Feed the organization's score (a percentage) to its data-quality KPI, if it has one: one measurement
    a day, updated in place, and that KPI's periods aggregated again at once."""
    kpi = (
        Kpi.objects.for_organization(organization).active().measured().filter(code=DATA_QUALITY_CODE).first()
    )
    if kpi is None or score is None:
        return
    day = timezone.localtime(now, zone).date()
    value = (score * 100).quantize(Decimal("0.01"))
    key = f"data-quality:{day.isoformat()}"
    stored = Measurement.objects.filter(organization=organization, idempotency_key=key).first()
    if stored is not None and stored.value == value:
        return
    if stored is None:
        Measurement.objects.create(
            organization=organization,
            kpi=kpi,
            timestamp=datetime.combine(day, time(12), zone),
            value=value,
            source=MeasurementSource.SYSTEM,
            idempotency_key=key,
        )
    else:
        Measurement.objects.filter(pk=stored.pk).update(value=value)
    from kpis.services.recompute import kpi_values_rebuild

    kpi_values_rebuild(organization, kpi_ids={kpi.pk}, now=now)


# Trend and contributions ---------------------------------------------------------------------------


def _trend(kpi: Kpi, rows: list[KpiValue]) -> dict:
    """The last complete period against the complete period just before it (like for like)."""
    complete = _complete(rows)
    if len(complete) < 2:
        return {"trend": None, "trend_period_start": None}
    last, before = complete[-1], complete[-2]
    if rules.period_end(before.period_start, kpi.cadence) != last.period_start:
        return {"trend": None, "trend_period_start": None}
    change = rules.improvement(before=before.value, after=last.value, direction=kpi.direction)
    if change is None or abs(change) >= Decimal(10) ** 9:
        return {"trend": None, "trend_period_start": None}
    return {"trend": change.quantize(Decimal("0.0001")), "trend_period_start": last.period_start}


def _contributions(kpi: Kpi, rows: list[KpiValue], inputs: dict, by_code: dict) -> dict:
    """The latest change of a formula KPI (latest period with a value against the one before) split
    between its inputs; {} for measured KPIs or when it cannot be split."""
    if not kpi.formula:
        return {}
    try:
        tree = formulas.parse(kpi.formula)
    except formulas.FormulaError:
        return {}
    known = [row for row in rows if row.value is not None]
    if len(known) < 2:
        return {}
    last, before = known[-1], known[-2]
    codes = sorted(code for code in formulas.references(tree) if code in by_code)

    def inputs_at(start):
        return {code: inputs.get(by_code[code].pk, {}).get(start) for code in codes}

    at_before, at_last = inputs_at(before.period_start), inputs_at(last.period_start)
    shares = formulas.contributions(tree, at_before, at_last)
    if shares is None:
        return {}
    return {
        "period_start": last.period_start.isoformat(),
        "previous_period_start": before.period_start.isoformat(),
        "before": str(before.value),
        "after": str(last.value),
        "change": str(last.value - before.value),
        "inputs": [
            {
                "code": code,
                "name": by_code[code].name,
                "before": str(at_before[code]),
                "after": str(at_last[code]),
                "contribution": str(shares[code].quantize(QUANTUM)),
            }
            for code in sorted(codes, key=lambda code: -abs(shares[code]))
        ],
    }


# Guardrails ----------------------------------------------------------------------------------------


def guardrails_evaluate(*, organization: Organization, now: datetime | None = None) -> list[Guardrail]:
    """Compare every guardrail of the organization with its KPI's latest period value; mark the key
    results whose guardrails are breached (their objectives' figures refresh at once). The guardrails
    that became breached are returned and announced (kpis.signals.guardrail_breached)."""
    now = now or timezone.now()
    guardrails = list(
        Guardrail.objects.filter(kpi__organization=organization).select_related(
            "kpi", "key_result__objective"
        )
    )
    latest = latest_values({guardrail.kpi_id for guardrail in guardrails})
    changed, newly = [], []
    for guardrail in guardrails:
        value = latest.get(guardrail.kpi_id)
        breached = guardrail_breached(comparison=guardrail.comparison, limit=guardrail.limit, value=value)
        if (guardrail.value, guardrail.breached) != (value, breached) or guardrail.evaluated_at is None:
            if breached and not guardrail.breached:
                newly.append(guardrail)
            guardrail.value, guardrail.breached, guardrail.evaluated_at = value, breached, now
            changed.append(guardrail)
    Guardrail.objects.bulk_update(changed, ["value", "breached", "evaluated_at"])
    okr_services.key_results_guardrails_mark(
        organization=organization,
        breached_ids={guardrail.key_result_id for guardrail in guardrails if guardrail.breached},
    )
    if newly:
        signals.guardrail_breached.send(sender=Guardrail, organization=organization, guardrails=newly)
    return newly


def guardrail_breached(*, comparison: str, limit: Decimal, value: Decimal | None) -> bool:
    """Past its limit: above it for "at most", below it for "at least"; never without a value."""
    if value is None:
        return False
    return value > limit if comparison == GuardrailComparison.AT_MOST else value < limit
