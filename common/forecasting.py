"""Forecasts from a short history: a robust trend, an 80 % prediction interval and the chance of a target.

Pure functions over (x, y) points, x in days; no ORM and no numerical library.

The trend is the Theil–Sen line: its slope is the median of the slopes between every pair of points
(a deterministic sample of pairs past 300 points), its intercept the median of y − slope·x, so that a
few wrong or unusual points barely move it. The spread of the points around it is the MAD of the
residuals × 1.4826 (their standard deviation when the MAD is 0), corrected for the small sample and
for the parameters fitted, and the error of a projection at x₀
grows with its distance from the data: se = σ·√(1 + 1/n + (x₀ − x̄)² / Σ(x − x̄)²). The 80 % interval is
the projection ± t·se, with Student's t for n − 2 degrees of freedom; the probability of reaching a
target is read from the same distribution. With `season` (7 for daily values) and at least three
seasons of points, a seasonal offset per phase (the median residual of that phase, centred) is taken
out before the fit and added back at the horizon.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MAX_PAIRS_POINTS = 300
MAD_SCALE = 1.4826
# Student's t 0.90 quantile by degrees of freedom (1 to 30); beyond, the normal's 1.2816.
T90 = [
    3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397, 1.383, 1.372,
    1.363, 1.356, 1.350, 1.345, 1.341, 1.337, 1.333, 1.330, 1.328, 1.325,
    1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.310,
]  # fmt: skip
Z90 = 1.2816


@dataclass(frozen=True)
class Forecast:
    """A projection at the horizon with its 80 % prediction interval."""

    value: float  # projected at the horizon
    low: float  # 10th percentile
    high: float  # 90th percentile
    probability: float | None  # of reaching the target at the horizon; None without a target
    slope: float  # per day
    points: int  # used by the fit


def forecast(
    points: Sequence[tuple[float, float]],
    *,
    horizon: float,
    target: float | None = None,
    higher_is_better: bool = True,
    season: int | None = None,
) -> Forecast | None:
    """Project the points' trend to `horizon`; None with fewer than three points or a single x."""
    points = sorted((float(x), float(y)) for x, y in points)
    if len(points) < 3 or points[0][0] == points[-1][0]:
        return None
    offsets = _seasonal_offsets(points, season) if season and len(points) >= 3 * season else {}
    if offsets:
        points = [(x, y - offsets.get(round(x) % season, 0.0)) for x, y in points]
    slope, intercept = theil_sen(points)
    residuals = [y - (intercept + slope * x) for x, y in points]
    n = len(points)
    # Residuals of a fitted line (and of fitted seasonal offsets) spread less than the noise itself, and
    # the MAD of a small sample is biased low: both are corrected, as for a standard deviation.
    fitted = 2 + (len(offsets) - 1 if offsets else 0)
    sigma = _spread(residuals) * math.sqrt(n / max(n - fitted, 1)) * n / (n - 0.8)
    mean_x = statistics.fmean(x for x, _ in points)
    spread_x = sum((x - mean_x) ** 2 for x, _ in points)
    value = intercept + slope * horizon + (offsets.get(round(horizon) % season, 0.0) if offsets else 0.0)
    sigma = max(sigma, 1e-9 * (1 + abs(value)))
    se = sigma * math.sqrt(1 + 1 / n + (horizon - mean_x) ** 2 / spread_x)
    t = T90[n - 3] if n - 2 <= len(T90) else Z90
    probability = None
    if target is not None:
        below = _normal_cdf((target - value) / se)
        probability = min(max(1 - below if higher_is_better else below, 0.0), 1.0)
    return Forecast(
        value=value, low=value - t * se, high=value + t * se, probability=probability, slope=slope, points=n
    )


def naive_forecast(points: Sequence[tuple[float, float]], *, horizon: float) -> float | None:
    """The straight line through the first and the last point (by x), at `horizon`: the baseline."""
    points = sorted((float(x), float(y)) for x, y in points)
    if len(points) < 2 or points[0][0] == points[-1][0]:
        return None
    (x0, y0), (x1, y1) = points[0], points[-1]
    return y0 + (y1 - y0) / (x1 - x0) * (horizon - x0)


def theil_sen(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The Theil–Sen slope and intercept of points with at least two distinct x."""
    points = sorted(points)
    n = len(points)
    if n <= MAX_PAIRS_POINTS:
        pairs = ((i, j) for i in range(n) for j in range(i + 1, n))
    else:
        # A deterministic sample: each point against points at a spread of fixed distances.
        steps = sorted({max(1, n * k // 97) for k in range(1, 97)})
        pairs = ((i, i + step) for step in steps for i in range(0, n - step, max(1, n // 200)))
    slopes = _slopes(points, pairs)
    if not slopes:
        # Nearly every x is the same and the sample missed the few others: the ends' x differ.
        slopes = _slopes(points, [*((0, j) for j in range(1, n)), *((i, n - 1) for i in range(n - 1))])
    slope = statistics.median(slopes)
    intercept = statistics.median(y - slope * x for x, y in points)
    return slope, intercept


def _slopes(points: Sequence[tuple[float, float]], pairs) -> list[float]:
    return [
        (points[j][1] - points[i][1]) / (points[j][0] - points[i][0])
        for i, j in pairs
        if points[j][0] != points[i][0]
    ]


def _seasonal_offsets(points: Sequence[tuple[float, float]], season: int) -> dict[int, float]:
    """Per phase (round(x) mod season), the median residual of a first fit, centred on zero."""
    slope, intercept = theil_sen(points)
    phases: dict[int, list[float]] = {}
    for x, y in points:
        phases.setdefault(round(x) % season, []).append(y - (intercept + slope * x))
    medians = {phase: statistics.median(values) for phase, values in phases.items()}
    centre = statistics.fmean(medians.values())
    return {phase: value - centre for phase, value in medians.items()}


def _spread(residuals: list[float]) -> float:
    median = statistics.median(residuals)
    mad = statistics.median(abs(r - median) for r in residuals)
    if mad > 0:
        return MAD_SCALE * mad
    return statistics.pstdev(residuals)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))
