"""Progress, status and scoring rules: pure functions, no ORM.

Attainment says how far a key result got (it may exceed 1 when the target was beaten);
progress is attainment clamped to [0, 1], the figure used in every roll-up.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from okrs.choices import KeyResultKind, ObjectiveType, ScoreColour, Status

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class StatusThresholds:
    """Per-organization settings; these defaults are documented in the README."""

    on_track_margin: Decimal = Decimal("0.10")
    at_risk_margin: Decimal = Decimal("0.25")
    check_in_cadence: timedelta = timedelta(days=14)


DEFAULT_THRESHOLDS = StatusThresholds()
# Status by forecast (Organization.status_basis): the probability of reaching the target.
FORECAST_ON_TRACK = Decimal("0.5")
FORECAST_AT_RISK = Decimal("0.2")
SCORE_YELLOW_FROM = Decimal("0.4")
SCORE_GREEN_FROM = Decimal("0.7")
# What a closed objective is expected to score: committed ones land, aspirational ones stretch.
EXPECTED_SCORE = {ObjectiveType.COMMITTED: ONE, ObjectiveType.ASPIRATIONAL: Decimal("0.7")}
FIGURE_QUANTUM = Decimal("0.0001")
SCORE_QUANTUM = Decimal("0.01")


def round_figure(value: Decimal) -> Decimal:
    """Stored progress, expected progress and attainment: four decimals, halves rounded up."""
    return Decimal(value).quantize(FIGURE_QUANTUM, rounding=ROUND_HALF_UP)


def round_score(value: Decimal) -> Decimal:
    """Scores: two decimals, halves rounded up."""
    return Decimal(value).quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)


def value_errors(*, kind: str, start: Decimal, target: Decimal) -> dict[str, str]:
    """Why a start/target pair is meaningless for this kind of key result, by field."""
    if kind in (KeyResultKind.KEEP_ABOVE, KeyResultKind.KEEP_BELOW):
        return {}
    if target == start:
        return {"target_value": "The target must differ from the start value."}
    if kind == KeyResultKind.INCREASE and target < start:
        return {"target_value": "An 'increase to' key result needs a target above its start value."}
    if kind == KeyResultKind.DECREASE and target > start:
        return {"target_value": "A 'decrease to' key result needs a target below its start value."}
    if kind == KeyResultKind.MILESTONE and (start != ZERO or target != ONE):
        return {"target_value": "A milestone goes from 0 (not done) to 1 (done): start 0, target 1."}
    return {}


def check_in_value_error(*, kind: str, value: Decimal) -> str | None:
    """Why a reported value makes no sense for this kind of key result, or None."""
    if kind == KeyResultKind.MILESTONE and value not in (ZERO, ONE):
        return "A milestone is reported as 0 (not done) or 1 (done)."
    return None


def attainment(*, kind: str, start: Decimal, target: Decimal, current: Decimal) -> Decimal:
    """How far the key result got towards its target; above 1 when beaten, negative when it went back."""
    errors = value_errors(kind=kind, start=start, target=target)
    if errors:
        raise ValueError(next(iter(errors.values())))
    if kind == KeyResultKind.INCREASE:
        return (current - start) / (target - start)
    if kind == KeyResultKind.DECREASE:
        return (start - current) / (start - target)
    if kind == KeyResultKind.KEEP_ABOVE:
        return ONE if current >= target else ZERO
    if kind == KeyResultKind.KEEP_BELOW:
        return ONE if current <= target else ZERO
    if kind == KeyResultKind.MILESTONE:
        return ONE if current >= target else ZERO
    raise ValueError(f"Unknown key result kind: {kind!r}")


def clamp(value: Decimal) -> Decimal:
    return min(max(value, ZERO), ONE)


def progress(*, kind: str, start: Decimal, target: Decimal, current: Decimal) -> Decimal:
    """Attainment clamped to [0, 1]: a value that moved the wrong way is 0, one past the target is 1."""
    return clamp(attainment(kind=kind, start=start, target=target, current=current))


def weighted_progress(items: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Weighted mean of (progress, weight) pairs; 0 when there is nothing or no weight."""
    pairs = list(items)
    total_weight = sum((weight for _, weight in pairs), ZERO)
    if total_weight <= 0:
        return ZERO
    return clamp(sum((value * weight for value, weight in pairs), ZERO) / total_weight)


def expected_progress(*, start: date, end: date, today: date) -> Decimal:
    """Fraction of the cycle elapsed at the end of `today`: 0 before it starts, 1 once it has ended."""
    if today < start:
        return ZERO
    if today >= end:
        return ONE
    elapsed = (today - start).days + 1
    length = (end - start).days + 1
    return Decimal(elapsed) / Decimal(length)


def status(
    *,
    progress: Decimal,
    expected: Decimal,
    last_check_in_at: datetime | None,
    now: datetime,
    thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
    probability: Decimal | None = None,
) -> str:
    """Where a key result or objective stands against the time elapsed or, when the organization judges
    by the forecast and one exists (`probability` of reaching the target), against that probability."""
    if last_check_in_at is None:
        return Status.NOT_STARTED
    if progress >= ONE:
        return Status.ACHIEVED
    if now - last_check_in_at > thresholds.check_in_cadence:
        return Status.STALE
    if probability is not None:
        return forecast_status(probability)
    if progress >= expected - thresholds.on_track_margin:
        return Status.ON_TRACK
    if progress >= expected - thresholds.at_risk_margin:
        return Status.AT_RISK
    return Status.OFF_TRACK


def forecast_status(probability: Decimal) -> str:
    """On track when the target is more likely than not to be reached, at risk from a 20 % chance, off track
    below."""
    if probability >= FORECAST_ON_TRACK:
        return Status.ON_TRACK
    if probability >= FORECAST_AT_RISK:
        return Status.AT_RISK
    return Status.OFF_TRACK


def forecast_progress(
    *, kind: str, start: Decimal, target: Decimal, values: Iterable[Decimal]
) -> list[Decimal]:
    """The progress each forecast value would give, unclamped."""
    return [attainment(kind=kind, start=start, target=target, current=value) for value in values]


def movers(changes: Iterable[tuple[int, Decimal]], *, limit: int = 5) -> list[list]:
    """The key results that moved a progress most, as [[id, "change"], …]: biggest change first, either
    way, none that did not move; `changes` are (key result id, contribution to the progress change)."""
    moved = sorted(
        ((pk, change) for pk, change in changes if round_figure(change) != 0),
        key=lambda pair: (-abs(pair[1]), pair[0]),
    )
    return [[pk, str(round_figure(change))] for pk, change in moved[:limit]]


def expected_score(objective_type: str) -> Decimal:
    return EXPECTED_SCORE[objective_type]


def score_colour(score: Decimal) -> str:
    """Red below 0.4, yellow below 0.7, green from 0.7."""
    if score < SCORE_YELLOW_FROM:
        return ScoreColour.RED
    if score < SCORE_GREEN_FROM:
        return ScoreColour.YELLOW
    return ScoreColour.GREEN
