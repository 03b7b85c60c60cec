"""Forecast backtest: the forecast (common.forecasting) against a naive straight line, on histories whose
truth is known.

At scale 1: 2,000 generated histories, a third each of (a) weekly check-ins of a key result with a
steady trend and noise of 5 to 20 % of its level, (b) the same with an occasional wrong value (a typo:
ten times the true value), (c) daily KPI values with a weekday pattern (busy weekdays, quiet weekends)
and the same noise. The last quarter of each history is hidden; both methods project the visible part
to the last hidden day, and the error is measured against the true underlying value (trend and pattern,
without noise).
Records `forecast_mape` and `forecast_naive_mape` (mean absolute percentage errors, %),
`forecast_vs_naive` (their ratio: below 1, the forecast is better) and `forecast_interval_coverage`
(the share of hidden observed values inside the 80 % interval; about 0.8 is right), and the three
figures per kind of history in `forecast_by_kind`. The weekday pattern here multiplies the level while
the forecast's seasonal offsets add to it, so that kind's interval is too narrow (coverage about 0.65).
"""

import random
import statistics

from common.forecasting import forecast, naive_forecast

HISTORIES = 2000
KINDS = ("trend", "trend_with_typos", "daily_with_weekdays")
WEEKDAY_PATTERN = [1.15, 1.1, 1.05, 1.1, 1.2, 0.35, 0.3]  # Monday … Sunday, a mean near 0.89


def run(results: dict, scale: float = 1.0) -> None:
    count = max(int(HISTORIES * scale), 60)
    print(f"Forecast backtest: {count} generated histories (trend + noise, typos, weekday patterns)")
    rng = random.Random(20261124)
    errors, naive_errors, covered, hidden = [], [], 0, 0
    by_kind = {kind: ([], [], []) for kind in KINDS}
    for index in range(count):
        kind = index % 3
        visible, truth, observed, season = _history(kind, rng)
        horizon = truth[0]
        result = forecast(visible, horizon=horizon, season=season)
        baseline = naive_forecast(visible, horizon=horizon)
        errors.append(abs(result.value - truth[1]) / abs(truth[1]) * 100)
        naive_errors.append(abs(baseline - truth[1]) / abs(truth[1]) * 100)
        inside = result.low <= observed <= result.high
        covered += inside
        hidden += 1
        mine, naive, coverage = by_kind[KINDS[kind]]
        mine.append(errors[-1])
        naive.append(naive_errors[-1])
        coverage.append(inside)
        if (index + 1) % max(count // 10, 1) == 0:
            print(f"  {index + 1}/{count} histories")
    figures = {
        "forecast_mape": round(statistics.fmean(errors), 2),
        "forecast_naive_mape": round(statistics.fmean(naive_errors), 2),
        "forecast_interval_coverage": round(covered / hidden, 3),
        "forecast_histories": count,
    }
    figures["forecast_vs_naive"] = round(figures["forecast_mape"] / figures["forecast_naive_mape"], 3)
    # Per kind of history: [forecast MAPE, naive MAPE, interval coverage].
    figures["forecast_by_kind"] = {
        kind: [
            round(statistics.fmean(mine), 2),
            round(statistics.fmean(naive), 2),
            round(statistics.fmean(hits), 3),
        ]
        for kind, (mine, naive, hits) in by_kind.items()
    }
    print(
        f"  forecast MAPE {figures['forecast_mape']} % against {figures['forecast_naive_mape']} % for the "
        f"straight line (ratio {figures['forecast_vs_naive']}); 80 % interval coverage "
        f"{figures['forecast_interval_coverage']}"
    )
    for kind, (mine, naive, hits) in figures["forecast_by_kind"].items():
        print(f"  {kind}: forecast {mine} %, straight line {naive} %, coverage {hits}")
    results.update(figures)


def _history(kind: int, rng: random.Random):
    """(visible points, (horizon, true value there), one observed value there, season)."""
    level = rng.uniform(50, 500)
    noise = rng.uniform(0.05, 0.20) * level
    if kind in (0, 1):
        weeks = rng.randint(8, 13)
        slope = rng.uniform(-0.6, 1.2) * level / 90  # per day: from −60 % to +120 % over a quarter
        days = [7 * week + rng.randint(0, 2) for week in range(weeks)]
        hide = max(len(days) // 4, 2)
        points = [(day, max(level + slope * day + rng.gauss(0, noise), 1.0)) for day in days]
        if kind == 1:
            for _ in range(rng.randint(1, 2)):
                where = rng.randrange(1, len(points) - hide)
                points[where] = (points[where][0], points[where][1] * 10)
        horizon = days[-1]
        true = level + slope * horizon
        observed = true + rng.gauss(0, noise)
        return points[:-hide], (horizon, max(true, 1.0)), observed, None
    days = rng.randint(42, 84)
    slope = rng.uniform(-0.3, 0.6) * level / 90
    offset = rng.randrange(7)

    def true_at(day):
        return max((level + slope * day) * WEEKDAY_PATTERN[(day + offset) % 7], 1.0)

    points = [(day, max(true_at(day) + rng.gauss(0, noise), 0.5)) for day in range(days)]
    hide = days // 4
    horizon = days - 1
    observed = true_at(horizon) + rng.gauss(0, noise)
    # Phases of the season are days since the series' first Monday, as for a KPI's periods.
    shifted = [(day + offset, value) for day, value in points[:-hide]]
    return shifted, (horizon + offset, true_at(horizon)), observed, 7
