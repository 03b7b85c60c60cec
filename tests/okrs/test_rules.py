from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from okrs import rules
from okrs.choices import KeyResultKind as K
from okrs.choices import ScoreColour, Status

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "start", "target", "current", "expected"),
    [
        (K.INCREASE, "0", "100", "0", "0"),
        (K.INCREASE, "0", "100", "25", "0.25"),
        (K.INCREASE, "20", "23", "21.5", "0.5"),
        (K.INCREASE, "0", "100", "150", "1.5"),  # beat the target: attainment shows above 100 %
        (K.INCREASE, "50", "100", "40", "-0.2"),  # went the wrong way
        (K.INCREASE, "-10", "10", "0", "0.5"),
        (K.DECREASE, "62", "52", "57", "0.5"),
        (K.DECREASE, "62", "52", "47", "1.5"),
        (K.DECREASE, "62", "52", "70", "-0.8"),
        (K.KEEP_ABOVE, "96", "98", "98", "1"),
        (K.KEEP_ABOVE, "96", "98", "97.99", "0"),
        (K.KEEP_BELOW, "5", "3", "3", "1"),
        (K.KEEP_BELOW, "5", "3", "3.01", "0"),
        (K.KEEP_ABOVE, "98", "98", "99", "1"),  # keep kinds may start at their threshold
        (K.MILESTONE, "0", "1", "0", "0"),
        (K.MILESTONE, "0", "1", "1", "1"),
    ],
)
def test_attainment_by_kind(kind, start, target, current, expected):
    assert rules.attainment(kind=kind, start=D(start), target=D(target), current=D(current)) == D(expected)


@pytest.mark.parametrize(
    ("kind", "start", "target", "current", "expected"),
    [
        (K.INCREASE, "0", "100", "150", "1"),
        (K.INCREASE, "50", "100", "40", "0"),
        (K.DECREASE, "62", "52", "70", "0"),
        (K.DECREASE, "62", "52", "40", "1"),
        (K.INCREASE, "0", "100", "33", "0.33"),
    ],
)
def test_progress_is_attainment_clamped_to_unit_interval(kind, start, target, current, expected):
    assert rules.progress(kind=kind, start=D(start), target=D(target), current=D(current)) == D(expected)


@pytest.mark.parametrize(
    ("kind", "start", "target", "field_error"),
    [
        (K.INCREASE, "10", "10", True),
        (K.DECREASE, "10", "10", True),
        (K.MILESTONE, "1", "1", True),
        (K.INCREASE, "10", "5", True),  # target below start for an increase
        (K.DECREASE, "5", "10", True),
        (K.INCREASE, "5", "10", False),
        (K.KEEP_ABOVE, "10", "10", False),
        (K.KEEP_BELOW, "10", "10", False),
    ],
)
def test_value_errors_reject_meaningless_start_and_target(kind, start, target, field_error):
    errors = rules.value_errors(kind=kind, start=D(start), target=D(target))
    assert bool(errors) is field_error
    if field_error:
        assert list(errors) == ["target_value"]
        with pytest.raises(ValueError):
            rules.attainment(kind=kind, start=D(start), target=D(target), current=D(7))


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 9, 30), D(0)),  # future cycle
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 10, 1), D(1) / D(92)),
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 15), D(46) / D(92)),
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 12, 31), D(1)),
        (date(2026, 10, 1), date(2026, 12, 31), date(2027, 3, 1), D(1)),
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 9, 30), D(0)),  # zero-length cycle, before
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 1), D(1)),  # zero-length cycle, on the day
    ],
)
def test_expected_progress_is_fraction_of_cycle_elapsed(start, end, today, expected):
    assert rules.expected_progress(start=start, end=end, today=today) == expected


@pytest.mark.parametrize(
    ("progress", "expected", "checked_days_ago", "status"),
    [
        ("0.5", "0.5", None, Status.NOT_STARTED),
        ("1", "0.5", 1, Status.ACHIEVED),
        ("1", "0.5", 30, Status.ACHIEVED),  # achieved outranks stale
        ("0.5", "0.5", 15, Status.STALE),
        ("0.5", "0.5", 14, Status.ON_TRACK),  # exactly the cadence is not yet stale
        ("0.40", "0.5", 1, Status.ON_TRACK),  # within 0.10
        ("0.39", "0.5", 1, Status.AT_RISK),
        ("0.25", "0.5", 1, Status.AT_RISK),  # within 0.25
        ("0.24", "0.5", 1, Status.OFF_TRACK),
        ("0", "0", 1, Status.ON_TRACK),  # nothing expected yet
    ],
)
def test_status_against_expected_progress(progress, expected, checked_days_ago, status):
    last = None if checked_days_ago is None else NOW - timedelta(days=checked_days_ago)
    assert rules.status(progress=D(progress), expected=D(expected), last_check_in_at=last, now=NOW) == status


def test_status_uses_the_organizations_thresholds():
    strict = rules.StatusThresholds(
        on_track_margin=D("0.02"), at_risk_margin=D("0.05"), check_in_cadence=timedelta(3)
    )
    last = NOW - timedelta(days=1)
    assert (
        rules.status(progress=D("0.45"), expected=D("0.5"), last_check_in_at=last, now=NOW) == Status.ON_TRACK
    )
    assert (
        rules.status(progress=D("0.45"), expected=D("0.5"), last_check_in_at=last, now=NOW, thresholds=strict)
        == Status.AT_RISK
    )
    stale_for_strict = NOW - timedelta(days=4)
    assert (
        rules.status(
            progress=D("0.5"),
            expected=D("0.5"),
            last_check_in_at=stale_for_strict,
            now=NOW,
            thresholds=strict,
        )
        == Status.STALE
    )


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], D(0)),
        ([(D("0.5"), D(1)), (D("1"), D(1))], D("0.75")),
        ([(D("0"), D(3)), (D("1"), D(1))], D("0.25")),
        ([(D("1"), D(0)), (D("0"), D(0))], D(0)),  # no weight at all
    ],
)
def test_weighted_progress(items, expected):
    assert rules.weighted_progress(items) == expected


@pytest.mark.parametrize(
    ("score", "colour"),
    [
        ("0", ScoreColour.RED),
        ("0.39", ScoreColour.RED),
        ("0.4", ScoreColour.YELLOW),
        ("0.69", ScoreColour.YELLOW),
        ("0.7", ScoreColour.GREEN),
        ("1", ScoreColour.GREEN),
    ],
)
def test_score_colour(score, colour):
    assert rules.score_colour(D(score)) == colour


values = st.decimals(min_value=-(10**6), max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


@given(start=values, target=values, current=values, kind=st.sampled_from([K.INCREASE, K.DECREASE]))
def test_progress_stays_between_zero_and_one(start, target, current, kind):
    assume(not rules.value_errors(kind=kind, start=start, target=target))
    assert D(0) <= rules.progress(kind=kind, start=start, target=target, current=current) <= D(1)


@given(start=values, target=values, a=values, b=values, kind=st.sampled_from([K.INCREASE, K.DECREASE]))
def test_progress_is_monotone_in_the_current_value(start, target, a, b, kind):
    assume(not rules.value_errors(kind=kind, start=start, target=target))
    low, high = sorted([a, b])
    p_low = rules.progress(kind=kind, start=start, target=target, current=low)
    p_high = rules.progress(kind=kind, start=start, target=target, current=high)
    if kind == K.INCREASE:
        assert p_low <= p_high
    else:
        assert p_low >= p_high
