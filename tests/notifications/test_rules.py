"""Pure rules: damping of statuses and when a digest is due in a person's time zone."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications import rules

T0 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def _observe(statuses, *, required=2, kpi=False, start=T0, step=timedelta(minutes=15)):
    """Feed statuses one evaluation window apart; the events sent, in order (None for nothing)."""
    state = {"notified_status": None, "candidate_status": None, "evaluations": 0, "window_start": None}
    state["alerted"] = False
    events = []
    for index, status in enumerate(statuses):
        window = rules.evaluation_window(start + index * step)
        damped = rules.damp(**state, status=status, window=window, required=required, kpi=kpi)
        state = {
            "notified_status": damped.notified_status,
            "candidate_status": damped.candidate_status,
            "evaluations": damped.evaluations,
            "window_start": damped.window_start,
            "alerted": damped.alerted,
        }
        events.append(damped.event)
    return events


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        # The first evaluation is the baseline: nothing is said about what it already was.
        (["off_track"], [None]),
        # Flipping for one evaluation sends nothing.
        (["on_track", "off_track", "on_track", "on_track"], [None, None, None, None]),
        # Held for two evaluations: one alert, never repeated while it holds.
        (["on_track", "off_track", "off_track", "off_track", "off_track"], [None, None, "alert", None, None]),
        # It changes again and settles again: told again.
        (
            ["on_track", "at_risk", "at_risk", "on_track", "on_track", "at_risk", "at_risk"],
            [None, None, "alert", None, None, None, "alert"],
        ),
        # Worse again: at risk, then off track.
        (
            ["on_track", "at_risk", "at_risk", "off_track", "off_track"],
            [None, None, "alert", None, "alert"],
        ),
        # Better is not an alert.
        (["off_track", "at_risk", "at_risk"], [None, None, None]),
        # Achieved is celebrated at once, and once.
        (["on_track", "achieved", "achieved", "achieved"], [None, "celebration", None, None]),
    ],
)
def test_okr_damping(statuses, expected):
    assert _observe(statuses) == expected


def test_threshold_of_three_waits_for_the_third_evaluation():
    assert _observe(["on_track", "off_track", "off_track", "off_track"], required=3) == [
        None,
        None,
        None,
        "alert",
    ]


def test_a_threshold_of_one_tells_at_once():
    assert _observe(["on_track", "off_track"], required=1) == [None, "alert"]


def test_refreshes_within_one_window_are_one_evaluation():
    # Four refreshes five minutes apart inside 10:00-10:15, then one in the next window.
    minutes = timedelta(minutes=4)
    assert _observe(["on_track", "off_track", "off_track", "off_track"], step=minutes) == [None] * 4
    assert (
        _observe(["on_track", "off_track", "off_track", "off_track", "off_track"], step=minutes)[-1]
        == "alert"
    )


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["green", "red", "red", "red"], [None, None, "alert", None]),
        (["green", "red", "green"], [None, None, None]),  # a red that did not hold is not news
        (["green", "red", "red", "green", "green"], [None, None, "alert", None, "celebration"]),
        (
            ["green", "red", "red", "amber", "amber", "green", "green"],
            [None, None, "alert", None, None, None, "celebration"],
        ),
        (["amber", "green", "green"], [None, None, None]),  # back to green without a red: no celebration
        (["red", "green", "green"], [None, None, "celebration"]),  # red at the first evaluation counts
    ],
)
def test_kpi_damping(statuses, expected):
    assert _observe(statuses, kpi=True) == expected


def test_evaluation_windows_are_fifteen_minutes_on_the_clock():
    assert rules.evaluation_window(datetime(2026, 11, 16, 10, 14, 59, tzinfo=UTC)) == T0
    assert rules.evaluation_window(datetime(2026, 11, 16, 10, 15, tzinfo=UTC)) == T0 + timedelta(minutes=15)


def test_digest_is_due_on_the_chosen_day_from_the_chosen_hour_where_the_person_is():
    # Monday 16 November 2026, 08:30 UTC: 09:30 in Madrid, 03:30 in New York.
    now = datetime(2026, 11, 16, 8, 30, tzinfo=UTC)
    assert rules.digest_due(now=now, time_zone="Europe/Madrid", weekday=0, hour=9)
    assert not rules.digest_due(now=now, time_zone="America/New_York", weekday=0, hour=9)
    assert rules.digest_due(now=now + timedelta(hours=6), time_zone="America/New_York", weekday=0, hour=9)
    assert not rules.digest_due(now=now, time_zone="Europe/Madrid", weekday=1, hour=9)


def test_digest_week_is_the_local_week():
    # Sunday 23:30 in New York is already Monday (next ISO week) in UTC.
    now = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    assert rules.digest_week(now=now, time_zone="America/New_York") == "2026-W47"
    assert rules.digest_week(now=now, time_zone="UTC") == "2026-W48"
