"""Pure rules of the KPI domain: status against thresholds, and aggregates of period values."""

from collections.abc import Sequence
from decimal import Decimal

from kpis.choices import Aggregation, Direction, KpiStatus


def kpi_status(
    *,
    value: Decimal | None,
    direction: str,
    target: Decimal | None,
    warning: Decimal | None,
    critical: Decimal | None,
) -> str:
    """Green at or better than the warning threshold (the target when no warning is set),
    red worse than the critical threshold, amber in between; no status without a value or thresholds.

    The recomputation applies the same rule in SQL (kpis.services.recompute.STATUS_SQL); a test
    checks that both agree.
    """
    good = warning if warning is not None else target
    if value is None or (good is None and critical is None):
        return KpiStatus.NONE
    sign = 1 if direction == Direction.HIGHER_IS_BETTER else -1
    if critical is not None and sign * (value - critical) < 0:
        return KpiStatus.RED
    if good is None or sign * (value - good) >= 0:
        return KpiStatus.GREEN
    return KpiStatus.AMBER


def threshold_errors(*, direction: str, warning: Decimal | None, critical: Decimal | None) -> dict:
    """The critical threshold must lie beyond the warning threshold in the bad direction."""
    if warning is None or critical is None:
        return {}
    higher = direction == Direction.HIGHER_IS_BETTER
    if (higher and critical > warning) or (not higher and critical < warning):
        side = "below" if higher else "above"
        return {"critical_threshold": f"The critical threshold must be {side} the warning threshold."}
    return {}


def combine_periods(aggregation: str, periods: Sequence[tuple[Decimal | None, int]]) -> Decimal | None:
    """Combine period values (value, measurement count), oldest first, as one value over all of them.

    Sums and counts add up; an average is weighted by each period's measurement count, which gives
    exactly the average of the raw measurements.
    """
    known = [(value, count) for value, count in periods if value is not None]
    if not known:
        return None
    values = [value for value, _ in known]
    if aggregation in (Aggregation.SUM, Aggregation.COUNT):
        return sum(values, Decimal(0))
    if aggregation == Aggregation.MINIMUM:
        return min(values)
    if aggregation == Aggregation.MAXIMUM:
        return max(values)
    if aggregation == Aggregation.LAST:
        return values[-1]
    total = sum(count for _, count in known)
    if total == 0:
        return sum(values, Decimal(0)) / len(values)
    return sum((value * count for value, count in known), Decimal(0)) / total
