"""Pure rules of the KPI domain: status against thresholds, periods, and aggregates of period values."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from kpis.choices import Aggregation, Cadence, Direction, KpiStatus


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


def kpi_on_target(*, value: Decimal | None, direction: str, target: Decimal | None) -> bool | None:
    """Whether a value is at or better than the target; None without a value or a target.

    The recomputation applies the same rule in SQL (kpis.services.recompute.ON_TARGET_SQL).
    """
    if value is None or target is None:
        return None
    sign = 1 if direction == Direction.HIGHER_IS_BETTER else -1
    return sign * (value - target) >= 0


def kpi_status_label(*, status: str, on_target: bool | None, direction: str, has_warning: bool) -> str:
    """What a status means for this value, in words: where it stands against the target first.

    Green splits in two when a target is set: "on or above target", or "below target, within
    tolerance" (between the target and the warning threshold). Amber and red name the threshold passed.
    """
    higher = direction == Direction.HIGHER_IS_BETTER
    if status == KpiStatus.GREEN:
        if on_target is True:
            return _("On or above target") if higher else _("On or below target")
        if on_target is False:
            return _("Below target, within tolerance") if higher else _("Above target, within tolerance")
        if has_warning:
            return (
                _("At or above the warning threshold") if higher else _("At or below the warning threshold")
            )
        return _("At or above the critical threshold") if higher else _("At or below the critical threshold")
    if status == KpiStatus.AMBER:
        if has_warning:
            return (
                _("Amber: below the warning threshold") if higher else _("Amber: above the warning threshold")
            )
        return _("Amber: below target") if higher else _("Amber: above target")
    if status == KpiStatus.RED:
        return _("Red: below the critical threshold") if higher else _("Red: above the critical threshold")
    return _("No status")


def period_end(start: date, cadence: str) -> date:
    """The first day after the period of `cadence` that starts on `start` (periods are local dates)."""
    if cadence == Cadence.DAILY:
        return start + timedelta(days=1)
    if cadence == Cadence.WEEKLY:
        return start + timedelta(days=7)
    months = 3 if cadence == Cadence.QUARTERLY else 1
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_start(day: date, cadence: str) -> date:
    """The first day of the period of `cadence` that contains `day` (weeks start on Monday)."""
    if cadence == Cadence.DAILY:
        return day
    if cadence == Cadence.WEEKLY:
        return day - timedelta(days=day.weekday())
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def same_span_end(*, start: date, latest: datetime, previous_start: date) -> datetime:
    """The end (inclusive, local wall-clock time) of the span of an earlier period that matches the span
    of a period in progress: as far from `previous_start` as `latest` (the current period's latest
    measurement, local and naive) is from `start`. The caller stops it at the earlier period's end."""
    return datetime.combine(previous_start, datetime.min.time()) + (
        latest - datetime.combine(start, datetime.min.time())
    )


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


def improvement(*, before: Decimal | None, after: Decimal | None, direction: str) -> Decimal | None:
    """The change from `before` to `after` as a fraction of |before|, positive when it is better for a KPI
    of this direction; None without both values or when `before` is 0."""
    if before is None or after is None or before == 0:
        return None
    change = (after - before) / abs(before)
    return change if direction == Direction.HIGHER_IS_BETTER else -change
