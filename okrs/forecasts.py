"""Forecasts of key results and objectives, from common.forecasting over check-ins: pure, no ORM.

A key result's points are its start value when it was set (the cycle's start, or its creation if later)
and every check-in up to the moment judged, in days since the cycle's start; the horizon is the end of
its due date. An objective's forecast progress is the weighted mean of its key results' forecast
progress (their current progress for those without a forecast), its interval the weighted means of
the ends of theirs, and its probability the weighted mean of their probabilities.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from common.forecasting import forecast
from okrs import rules
from okrs.choices import KeyResultKind

# Key result values are stored with 18 digits, 4 after the point.
VALUE_LIMIT = Decimal(10) ** 13
DAY_SECONDS = 86400
HIGHER_IS_BETTER = (KeyResultKind.INCREASE, KeyResultKind.KEEP_ABOVE)


@dataclass(frozen=True)
class Projection:
    value: Decimal
    low: Decimal
    high: Decimal
    probability: Decimal | None


def days_since(moment: datetime, origin: datetime) -> float:
    return (moment - origin).total_seconds() / DAY_SECONDS


def horizon(*, cycle_start: date, due_date: date) -> float:
    """The end of the due date, in days since the cycle's start."""
    return float((due_date - cycle_start).days + 1)


def key_result_projection(
    *, kind: str, target: Decimal, points: Sequence[tuple[float, float]], until: float
) -> Projection | None:
    """The value expected at `until` with its 80 % interval and the probability of reaching the target;
    None for milestones and with fewer than three points."""
    if kind == KeyResultKind.MILESTONE:
        return None
    result = forecast(points, horizon=until, target=float(target), higher_is_better=kind in HIGHER_IS_BETTER)
    if result is None:
        return None
    values = [_decimal(value) for value in (result.value, result.low, result.high)]
    if any(value is None for value in values):
        return None
    probability = None if result.probability is None else rules.round_figure(_decimal(result.probability))
    return Projection(*values, probability=probability)


def objective_projection(
    items: Iterable[tuple[str, Decimal, Decimal, Decimal, Decimal, Projection | None]],
) -> Projection | None:
    """From (kind, start, target, exact progress, weight, projection) per key result: the objective's
    forecast progress, interval and probability; None when no key result has a forecast."""
    items = list(items)
    if not any(projection is not None for *_, projection in items):
        return None
    middle, low, high, chances = [], [], [], []
    for kind, start, target, progress, weight, projection in items:
        if projection is None:
            middle.append((progress, weight))
            low.append((progress, weight))
            high.append((progress, weight))
            if progress >= 1:
                chances.append((Decimal(1), weight))
            continue
        ends = [
            rules.clamp(value)
            for value in rules.forecast_progress(
                kind=kind,
                start=start,
                target=target,
                values=[projection.value, projection.low, projection.high],
            )
        ]
        middle.append((ends[0], weight))
        low.append((min(ends), weight))
        high.append((max(ends), weight))
        if projection.probability is not None:
            chances.append((projection.probability, weight))
    probability = rules.weighted_progress(chances) if chances else None
    return Projection(
        value=rules.weighted_progress(middle),
        low=rules.weighted_progress(low),
        high=rules.weighted_progress(high),
        probability=probability,
    )


def _decimal(value: float) -> Decimal | None:
    try:
        number = Decimal(repr(float(value))).quantize(rules.FIGURE_QUANTUM)
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return number if abs(number) < VALUE_LIMIT else None
