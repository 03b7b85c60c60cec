"""Data-quality rules of one KPI: pure functions over its periods and recent measurements, no ORM.

Each rule returns an issue (a dict stored in Kpi.quality_issues and rendered in the reader's language by
kpis.quality_text) with the share of the score it costs. A KPI's score is 1 minus the sum of its issues'
costs, never below 0; an organization's is the mean of its KPIs' scores.

- **stale**: a measured KPI with no measurement since the start of the previous period of its cadence
  (the period that just ended got nothing), or none at all one period after it was created. Cost 0.30.
- **missing_periods**: periods without a value between the first one and the last complete one. Cost
  0.05 each, at most 0.25.
- **outlier_period** / **outlier_measurement**: values whose robust z-score (0.6745 × distance to the
  median / MAD; the mean absolute deviation × 1.2533 stands in when the MAD is 0) exceeds 3.5, over the
  last 60 complete periods (at least 6) or the last 31 days of raw measurements (at least 10). Cost 0.05
  per period (at most 0.20) and 0.02 per measurement (at most 0.10).
- **duplicates**: measurements sent without an idempotency key that share their KPI, instant and value
  with another one. Cost 0.05 per extra row, at most 0.20.
- **definition_changed**: the formula, aggregation or cadence changed after the first period: earlier
  periods were measured under another definition. Cost 0.10.
- **in_progress**: the latest period has not ended, so its value is partial. Shown, costs nothing.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from common.numbers import plain_decimal
from kpis.choices import QualityIssueKind
from kpis.rules import period_end, period_start

OUTLIER_Z = Decimal("3.5")
PERIOD_WINDOW = 60
MIN_PERIODS = 6
MIN_MEASUREMENTS = 10
MEASUREMENT_DAYS = 31
QUANTUM = Decimal("0.0001")

COST = {
    QualityIssueKind.STALE: (Decimal("0.30"), Decimal("0.30")),
    QualityIssueKind.MISSING_PERIODS: (Decimal("0.05"), Decimal("0.25")),
    QualityIssueKind.OUTLIER_PERIOD: (Decimal("0.05"), Decimal("0.20")),
    QualityIssueKind.OUTLIER_MEASUREMENT: (Decimal("0.02"), Decimal("0.10")),
    QualityIssueKind.DUPLICATES: (Decimal("0.05"), Decimal("0.20")),
    QualityIssueKind.DEFINITION_CHANGED: (Decimal("0.10"), Decimal("0.10")),
    QualityIssueKind.IN_PROGRESS: (Decimal(0), Decimal(0)),
}


@dataclass(frozen=True)
class Period:
    start: date
    value: Decimal | None
    in_progress: bool = False


@dataclass(frozen=True)
class QualityInput:
    """What the rules need to know about one KPI, as dates and times of the organization's time zone."""

    cadence: str
    today: date
    created_on: date
    periods: Sequence[Period] = ()  # sorted by start
    measured: bool = True
    last_measurement_at: datetime | None = None  # local
    measurement_values: Sequence[Decimal] = ()  # the last MEASUREMENT_DAYS days' raw values
    duplicates: int = 0
    duplicate_example: datetime | None = None
    definition_changed_on: date | None = None


@dataclass
class Assessment:
    score: Decimal
    issues: list[dict] = field(default_factory=list)


def assess(data: QualityInput) -> Assessment:
    """The KPI's issues, costliest first, and its score."""
    issues = [
        issue
        for issue in (
            _stale(data),
            _missing(data),
            _outlier_periods(data),
            _outlier_measurements(data),
            _duplicates(data),
            _definition_changed(data),
            _in_progress(data),
        )
        if issue is not None
    ]
    issues.sort(key=lambda issue: Decimal(issue["cost"]), reverse=True)
    total = sum((Decimal(issue["cost"]) for issue in issues), Decimal(0))
    return Assessment(score=max(Decimal(1) - total, Decimal(0)).quantize(QUANTUM), issues=issues)


def organization_score(scores: Sequence[Decimal | None]) -> Decimal | None:
    """The mean of the KPIs' scores; None without any."""
    known = [score for score in scores if score is not None]
    if not known:
        return None
    return (sum(known, Decimal(0)) / len(known)).quantize(QUANTUM, rounding=ROUND_HALF_UP)


def robust_z(values: Sequence[Decimal]) -> list[Decimal]:
    """Modified z-scores (Iglewicz and Hoaglin): 0.6745 × (x − median) / MAD, with the mean absolute
    deviation × 1.2533 standing in for a zero MAD; all zero when every value is the same."""
    median = statistics.median(values)
    deviations = [abs(value - median) for value in values]
    mad = statistics.median(deviations)
    if mad:
        return [Decimal("0.6745") * (value - median) / mad for value in values]
    mean_deviation = sum(deviations, Decimal(0)) / len(deviations)
    if not mean_deviation:
        return [Decimal(0) for _ in values]
    return [(value - median) / (Decimal("1.253314") * mean_deviation) for value in values]


def _issue(kind: str, count: int = 1, **details) -> dict:
    each, limit = COST[kind]
    return {"kind": kind, "count": count, "cost": str(min(each * count, limit)), **details}


def _stale(data: QualityInput) -> dict | None:
    if not data.measured:
        return None
    current = period_start(data.today, data.cadence)
    previous = period_start(current - timedelta(days=1), data.cadence)
    if data.last_measurement_at is None:
        if period_end(period_start(data.created_on, data.cadence), data.cadence) <= previous:
            return _issue(QualityIssueKind.STALE, since=None, due=previous.isoformat())
        return None
    if data.last_measurement_at.date() < previous:
        return _issue(
            QualityIssueKind.STALE, since=data.last_measurement_at.isoformat(), due=previous.isoformat()
        )
    return None


def _complete(data: QualityInput) -> list[Period]:
    return [period for period in data.periods if not period.in_progress]


def _missing(data: QualityInput) -> dict | None:
    complete = _complete(data)
    if not complete:
        return None
    have = {period.start for period in complete if period.value is not None}
    if not have:
        return None
    missing, start, last = [], min(have), complete[-1].start
    while start <= last:
        if start not in have:
            missing.append(start.isoformat())
        start = period_end(start, data.cadence)
    if not missing:
        return None
    return _issue(QualityIssueKind.MISSING_PERIODS, count=len(missing), periods=missing[:12])


def _outlier_periods(data: QualityInput) -> dict | None:
    periods = [period for period in _complete(data) if period.value is not None][-PERIOD_WINDOW:]
    if len(periods) < MIN_PERIODS:
        return None
    scores = robust_z([period.value for period in periods])
    found = [(period, z) for period, z in zip(periods, scores, strict=True) if abs(z) > OUTLIER_Z]
    if not found:
        return None
    found.sort(key=lambda pair: abs(pair[1]), reverse=True)
    return _issue(
        QualityIssueKind.OUTLIER_PERIOD,
        count=len(found),
        periods=[period.start.isoformat() for period, _ in found[:12]],
        value=plain_decimal(found[0][0].value),
        median=plain_decimal(statistics.median([period.value for period in periods])),
    )


def _outlier_measurements(data: QualityInput) -> dict | None:
    values = list(data.measurement_values)
    if len(values) < MIN_MEASUREMENTS:
        return None
    scores = robust_z(values)
    found = sorted(
        ((value, z) for value, z in zip(values, scores, strict=True) if abs(z) > OUTLIER_Z),
        key=lambda pair: abs(pair[1]),
        reverse=True,
    )
    if not found:
        return None
    return _issue(
        QualityIssueKind.OUTLIER_MEASUREMENT,
        count=len(found),
        value=plain_decimal(found[0][0]),
        median=plain_decimal(statistics.median(values)),
    )


def _duplicates(data: QualityInput) -> dict | None:
    if not data.duplicates:
        return None
    example = data.duplicate_example.isoformat() if data.duplicate_example else None
    return _issue(QualityIssueKind.DUPLICATES, count=data.duplicates, example=example)


def _definition_changed(data: QualityInput) -> dict | None:
    if data.definition_changed_on is None or not data.periods:
        return None
    if data.periods[0].start >= data.definition_changed_on:
        return None
    return _issue(QualityIssueKind.DEFINITION_CHANGED, since=data.definition_changed_on.isoformat())


def _in_progress(data: QualityInput) -> dict | None:
    if not data.periods or not data.periods[-1].in_progress:
        return None
    return _issue(QualityIssueKind.IN_PROGRESS, periods=[data.periods[-1].start.isoformat()])
