"""The forecast's math against series whose truth is known."""

import math
import random

import pytest

from common.forecasting import forecast, naive_forecast, theil_sen


def line(slope, intercept, xs):
    return [(x, intercept + slope * x) for x in xs]


def test_a_perfect_line_projects_exactly_with_a_tight_interval():
    result = forecast(line(2.5, 10, range(10)), horizon=30, target=80)
    assert result.value == pytest.approx(85)
    assert result.low == pytest.approx(85) and result.high == pytest.approx(85)
    assert result.slope == pytest.approx(2.5)
    assert result.probability == pytest.approx(1.0)


def test_the_80_percent_interval_covers_the_future_value_about_80_percent_of_the_time():
    rng = random.Random(20261124)
    covered = trials = 0
    for _ in range(600):
        n = rng.randint(12, 30)
        slope, level, noise = rng.uniform(-2, 3), rng.uniform(50, 150), rng.uniform(2, 15)
        xs = sorted(rng.sample(range(0, 60), n))
        points = [(x, level + slope * x + rng.gauss(0, noise)) for x in xs]
        horizon = 60 + rng.randint(5, 30)
        truth = level + slope * horizon + rng.gauss(0, noise)
        result = forecast(points, horizon=horizon)
        covered += result.low <= truth <= result.high
        trials += 1
    assert 0.72 <= covered / trials <= 0.88


def test_the_probability_follows_the_target_and_the_direction():
    rng = random.Random(7)
    points = [(x, 100 + 2 * x + rng.gauss(0, 5)) for x in range(20)]
    middle = forecast(points, horizon=40).value
    assert forecast(points, horizon=40, target=middle).probability == pytest.approx(0.5, abs=0.01)
    assert forecast(points, horizon=40, target=middle - 100).probability > 0.99
    assert forecast(points, horizon=40, target=middle + 100).probability < 0.01
    # Lower is better: reaching a target far above the projection is certain.
    assert forecast(points, horizon=40, target=middle + 100, higher_is_better=False).probability > 0.99
    assert forecast(points, horizon=40).probability is None


def test_one_wild_point_barely_moves_the_robust_trend_but_moves_the_naive_line():
    points = line(1, 20, range(15))
    spiked = [*points[:-1], (14, 340.0)]  # the last check-in typed with a wrong digit
    truth = 20 + 1 * 30
    assert forecast(spiked, horizon=30).value == pytest.approx(truth, rel=0.02)
    assert abs(naive_forecast(spiked, horizon=30) - truth) > 100


def test_weekly_seasonality_makes_daily_forecasts_better():
    rng = random.Random(3)
    pattern = [30, 32, 31, 29, 35, 5, 4]  # weekdays busy, weekends quiet
    errors_with, errors_without = [], []
    for _ in range(60):
        start = rng.uniform(0, 20)
        points = [(day, pattern[day % 7] + 0.2 * day + start + rng.gauss(0, 1)) for day in range(42)]
        horizon = 42 + rng.randint(0, 13)
        truth = pattern[horizon % 7] + 0.2 * horizon + start
        errors_with.append(abs(forecast(points, horizon=horizon, season=7).value - truth))
        errors_without.append(abs(forecast(points, horizon=horizon).value - truth))
    assert sum(errors_with) < 0.5 * sum(errors_without)


def test_too_little_history_gives_no_forecast():
    assert forecast([(0, 1), (1, 2)], horizon=5) is None
    assert forecast([(3, 1), (3, 2), (3, 4)], horizon=5) is None
    assert naive_forecast([(1, 1)], horizon=5) is None


def test_the_order_of_the_points_does_not_matter():
    rng = random.Random(11)
    points = [(x, 3 * x + rng.gauss(0, 2)) for x in range(25)]
    shuffled = points[:]
    rng.shuffle(shuffled)
    assert forecast(points, horizon=40, target=100) == forecast(shuffled, horizon=40, target=100)


def test_long_histories_use_a_sample_of_pairs_and_still_find_the_slope():
    rng = random.Random(5)
    points = [(x / 10, 4 * x / 10 + rng.gauss(0, 1)) for x in range(2000)]
    slope, _intercept = theil_sen(points)
    assert slope == pytest.approx(4, rel=0.02)
    assert math.isfinite(forecast(points, horizon=250).value)


@pytest.mark.parametrize("where", [0, 290, 580])
def test_a_long_history_with_a_single_different_day_still_has_a_trend(where):
    points = [(0.0, 1.0)] * 581
    points[where] = (1.0, 2.0)
    assert forecast(points, horizon=3).slope == pytest.approx(1.0)
