"""Before/during comparison of a KPI around an initiative: pure functions, no ORM.

The *during* window runs from the initiative's start to the end of its last day or to today, whichever
comes first; the *before* window is as many days just before the start. Both are dates of the
organization's time zone, like the KPI's periods. Each window's figure is the mean of the values of the
complete periods that lie wholly inside it. The change is (during − before) / |before|; the KPI's usual
variation is the median absolute relative change between consecutive complete periods before the
initiative (the last twelve). The change reads as an effect when it is more than twice the usual
variation, better or worse by the KPI's direction; within that, as noise.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from insights.choices import ImpactVerdict
from kpis.choices import Direction
from kpis.rules import period_end

EFFECT_FACTOR = Decimal(2)
USUAL_PERIODS = 12
QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class Windows:
    before_start: date
    start: date
    until: date  # exclusive

    @property
    def days(self) -> int:
        return (self.until - self.start).days


@dataclass(frozen=True)
class Comparison:
    before: Decimal | None
    during: Decimal | None
    before_periods: int
    during_periods: int
    change: Decimal | None
    usual_variation: Decimal | None
    verdict: str


def windows(*, start: date, end: date, today: date) -> Windows | None:
    """Equal windows before and during an initiative; None before it has started."""
    until = min(end + timedelta(days=1), today + timedelta(days=1))
    if until <= start:
        return None
    return Windows(before_start=start - (until - start), start=start, until=until)


def compare(
    periods: Sequence[tuple[date, Decimal | None, bool]], *, cadence: str, direction: str, span: Windows
) -> Comparison:
    """Compare the complete periods (start, value, in progress) inside each window."""
    complete = [
        (start, value) for start, value, in_progress in periods if value is not None and not in_progress
    ]
    before = [v for s, v in complete if s >= span.before_start and period_end(s, cadence) <= span.start]
    during = [v for s, v in complete if s >= span.start and period_end(s, cadence) <= span.until]
    usual = usual_variation([v for s, v in complete if period_end(s, cadence) <= span.start], cadence=cadence)
    before_mean = _mean(before)
    during_mean = _mean(during)
    change = None
    if before_mean is not None and during_mean is not None and before_mean != 0:
        change = ((during_mean - before_mean) / abs(before_mean)).quantize(QUANTUM)
    return Comparison(
        before=before_mean,
        during=during_mean,
        before_periods=len(before),
        during_periods=len(during),
        change=change,
        usual_variation=usual,
        verdict=verdict(change=change, usual=usual, direction=direction),
    )


def usual_variation(values: Sequence[Decimal], *, cadence: str = "") -> Decimal | None:
    """The median absolute relative change between consecutive values (the last USUAL_PERIODS + 1)."""
    values = list(values)[-(USUAL_PERIODS + 1) :]
    changes = [abs((b - a) / abs(a)) for a, b in zip(values, values[1:], strict=False) if a != 0]
    if not changes:
        return None
    return Decimal(statistics.median(changes)).quantize(QUANTUM)


def verdict(*, change: Decimal | None, usual: Decimal | None, direction: str) -> str:
    if change is None or usual is None:
        return ImpactVerdict.UNKNOWN
    if abs(change) <= EFFECT_FACTOR * usual:
        return ImpactVerdict.NOISE
    better = change > 0 if direction == Direction.HIGHER_IS_BETTER else change < 0
    return ImpactVerdict.BETTER if better else ImpactVerdict.WORSE


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.000001"))
