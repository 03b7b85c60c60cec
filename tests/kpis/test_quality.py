"""Each data-quality rule on constructed histories (kpis.quality), and the score they give."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from kpis.choices import Cadence, QualityIssueKind
from kpis.quality import Period, QualityInput, assess, organization_score, robust_z

TODAY = date(2026, 11, 24)


def daily(values, *, until=TODAY, in_progress_today=False):
    """Daily periods ending yesterday (and today, in progress, when asked)."""
    start = until - timedelta(days=len(values))
    periods = [
        Period(start + timedelta(days=i), Decimal(v) if v is not None else None) for i, v in enumerate(values)
    ]
    if in_progress_today:
        periods.append(Period(until, Decimal(1), in_progress=True))
    return periods


def data(**fields):
    defaults = {
        "cadence": Cadence.DAILY,
        "today": TODAY,
        "created_on": date(2026, 1, 1),
        "periods": daily([3] * 20),
        "last_measurement_at": datetime(2026, 11, 23, 18, 0),
    }
    return QualityInput(**{**defaults, **fields})


def kinds(assessment):
    return [issue["kind"] for issue in assessment.issues]


def test_a_clean_history_scores_one_and_lists_nothing():
    result = assess(data())
    assert result.score == Decimal(1) and result.issues == []


def test_no_measurement_in_the_period_that_just_ended_is_stale():
    result = assess(data(last_measurement_at=datetime(2026, 11, 22, 23, 0)))
    assert kinds(result) == [QualityIssueKind.STALE]
    assert result.score == Decimal("0.70")
    assert result.issues[0]["due"] == "2026-11-23"


def test_monthly_freshness_allows_the_whole_current_month():
    fresh = data(cadence=Cadence.MONTHLY, periods=[], last_measurement_at=datetime(2026, 10, 15))
    stale = data(cadence=Cadence.MONTHLY, periods=[], last_measurement_at=datetime(2026, 9, 30))
    assert kinds(assess(fresh)) == []
    assert kinds(assess(stale)) == [QualityIssueKind.STALE]


def test_a_kpi_that_never_received_anything_is_stale_one_period_after_creation():
    assert kinds(assess(data(periods=[], last_measurement_at=None, created_on=TODAY))) == []
    assert kinds(assess(data(periods=[], last_measurement_at=None, created_on=date(2026, 11, 1)))) == [
        QualityIssueKind.STALE
    ]


def test_formula_kpis_are_not_judged_on_freshness():
    assert kinds(assess(data(measured=False, last_measurement_at=None))) == []


def test_missing_periods_are_counted_and_listed():
    values = [3] * 20
    values[5] = values[9] = None
    periods = [p for p in daily(values) if p.value is not None]  # no row at all for two days
    result = assess(data(periods=periods))
    issue = result.issues[0]
    assert issue["kind"] == QualityIssueKind.MISSING_PERIODS and issue["count"] == 2
    assert issue["periods"] == [
        (TODAY - timedelta(days=15)).isoformat(),
        (TODAY - timedelta(days=11)).isoformat(),
    ]
    assert result.score == Decimal("0.90")


def test_forty_deals_in_a_day_when_the_daily_median_is_three_is_an_outlier():
    values = [3, 2, 4, 3, 3, 2, 3, 4, 3, 40, 3, 2, 3]
    result = assess(data(periods=daily(values)))
    issue = result.issues[0]
    assert issue["kind"] == QualityIssueKind.OUTLIER_PERIOD
    assert issue["count"] == 1 and issue["value"] == "40" and issue["median"] == "3"


def test_a_steady_series_with_normal_noise_has_no_outlier():
    values = [10, 12, 9, 11, 10, 13, 8, 11, 12, 10, 9, 11]
    assert kinds(assess(data(periods=daily(values)))) == []


def test_an_outlier_among_identical_values_is_found_even_with_a_zero_mad():
    assert robust_z([Decimal(3)] * 6 + [Decimal(40)])[-1] > Decimal("3.5")
    assert robust_z([Decimal(3)] * 6) == [Decimal(0)] * 6


def test_unusual_raw_measurements_are_found():
    values = [Decimal(v) for v in [1, 1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 250]]
    result = assess(data(measurement_values=values))
    assert kinds(result) == [QualityIssueKind.OUTLIER_MEASUREMENT]
    assert result.issues[0]["value"] == "250"


def test_duplicates_cost_per_extra_row_with_a_limit():
    example = datetime(2026, 11, 20, 9, 30)
    assert assess(data(duplicates=2, duplicate_example=example)).score == Decimal("0.90")
    assert assess(data(duplicates=30, duplicate_example=example)).score == Decimal("0.80")


def test_a_definition_changed_after_the_first_period_is_reported():
    changed = assess(data(definition_changed_on=TODAY - timedelta(days=3)))
    assert kinds(changed) == [QualityIssueKind.DEFINITION_CHANGED]
    before_history = assess(data(definition_changed_on=TODAY - timedelta(days=300)))
    assert kinds(before_history) == []


def test_the_period_in_progress_is_shown_but_costs_nothing():
    result = assess(data(periods=daily([3] * 10, in_progress_today=True)))
    assert kinds(result) == [QualityIssueKind.IN_PROGRESS]
    assert result.score == Decimal(1)


def test_issues_come_costliest_first_and_the_score_never_goes_below_zero():
    values = [3, None, 3, None, 3, None, 3, None, 3, None, 3, 40, 3, 50, 3, 3, 3, 3]
    periods = [p for p in daily(values) if p.value is not None]
    result = assess(
        data(
            periods=periods,
            last_measurement_at=datetime(2026, 1, 1),
            duplicates=9,
            duplicate_example=datetime(2026, 1, 1),
            definition_changed_on=TODAY - timedelta(days=2),
            measurement_values=[Decimal(v) for v in [1, 2] * 7 + [500, 600, 700]],
        )
    )
    assert sum(Decimal(issue["cost"]) for issue in result.issues) > 1
    costs = [Decimal(issue["cost"]) for issue in result.issues]
    assert costs == sorted(costs, reverse=True)
    assert result.score == Decimal(0)


def test_the_organization_score_is_the_mean_of_the_known_scores():
    assert organization_score([Decimal("1"), Decimal("0.7"), None]) == Decimal("0.8500")
    assert organization_score([None]) is None
