"""Alerts and celebrations from real refreshes of figures, damped over evaluation windows."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from kpis.choices import KpiStatus
from kpis.models import KpiValue
from kpis.services.recompute import kpi_recompute
from notifications import selectors, services
from notifications.choices import NotificationKind, Subject
from notifications.models import Notification, StatusTracker
from okrs import services as okr_services
from tests.kpis.factories import KpiFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def _at(minutes: int):
    return time_machine.travel(MONDAY + timedelta(minutes=minutes), tick=False)


def _refresh(tree, minutes: int, capture):
    """A periodic refresh of the cycle's figures at MONDAY + minutes, with its after-commit work run."""
    with _at(minutes), capture(execute=True):
        okr_services.progress_refresh(cycle_ids=[tree.cycle.pk])


def _check_in(tree, value, minutes: int, capture):
    with _at(minutes), capture(execute=True):
        okr_services.check_in_create(
            key_result=tree.key_result, value=Decimal(value), confidence=5, author=tree.owner
        )


def _titles(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_off_track_is_told_once_after_holding_for_two_evaluations(
    tree, django_capture_on_commit_callbacks, mailoutbox, eager_celery
):
    capture = django_capture_on_commit_callbacks
    _refresh(tree, 0, capture)  # the baseline: not started
    _check_in(tree, 5, 5, capture)  # 5 % of the way at about half of the cycle: off track
    _refresh(tree, 10, capture)  # the same window: still one evaluation
    assert Notification.objects.count() == 0

    _refresh(tree, 20, capture)  # the next window: held for two evaluations
    assert _titles(tree.owner) == [
        "Key result “Qualified leads” is off track",
        "Objective “Grow pipeline” is off track",
    ]
    assert {n.kind for n in Notification.objects.all()} == {NotificationKind.ALERT}
    assert _titles(tree.teammate) == []  # alerts go to the owners and followers, not the whole team
    assert len(mailoutbox) == 2 and mailoutbox[0].to == [tree.owner.email]

    _refresh(tree, 35, capture)
    _refresh(tree, 50, capture)
    assert Notification.objects.count() == 2  # never repeated while the status holds


def test_a_status_that_flips_for_one_evaluation_sends_nothing(tree, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    _refresh(tree, 0, capture)
    _check_in(tree, 5, 5, capture)  # off track for one evaluation…
    _check_in(tree, 60, 20, capture)  # …on track at the next one
    for minutes in (35, 50, 65):
        _refresh(tree, minutes, capture)
    assert Notification.objects.count() == 0
    tracker = StatusTracker.objects.get(subject=Subject.KEY_RESULT, subject_id=tree.key_result.pk)
    assert tracker.notified_status == "on_track" and tracker.candidate_status == "on_track"


def test_the_organization_sets_how_many_evaluations_a_status_must_hold(
    tree, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    services.defaults_update(organization=tree.cycle.organization, alert_after_evaluations=3)
    _refresh(tree, 0, capture)
    _check_in(tree, 5, 5, capture)
    _refresh(tree, 20, capture)
    assert Notification.objects.count() == 0
    _refresh(tree, 35, capture)
    assert Notification.objects.filter(recipient=tree.owner).count() == 2


def test_achievement_is_celebrated_with_the_owner_the_team_and_followers(
    tree, admin_a, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    services.objective_follow(objective=tree.objective, user=admin_a.user)
    _refresh(tree, 0, capture)
    _check_in(tree, 100, 5, capture)  # the check-in's own refresh sees it achieved: celebrated at once
    celebrations = Notification.objects.filter(kind=NotificationKind.CELEBRATION)
    assert set(celebrations.values_list("recipient__username", flat=True)) == {"owner", "teammate", "admin-a"}
    assert "Key result “Qualified leads” is achieved" in _titles(tree.teammate)
    assert "Objective “Grow pipeline” is achieved" in _titles(admin_a.user)
    assert celebrations.first().link.startswith(tree.objective.get_absolute_url())


def test_people_who_turned_an_event_off_hear_nothing_of_it(tree, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    services.preference_update(
        user=tree.teammate, organization=tree.cycle.organization, events=[NotificationKind.ALERT]
    )
    _refresh(tree, 0, capture)
    _check_in(tree, 100, 5, capture)
    _refresh(tree, 20, capture)
    assert _titles(tree.teammate) == []
    assert len(_titles(tree.owner)) == 2


def test_a_failing_evaluation_never_refuses_the_check_in(
    tree, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("notifications are broken")

    monkeypatch.setattr(selectors, "defaults_for", broken)
    _check_in(tree, 40, 5, django_capture_on_commit_callbacks)
    tree.key_result.refresh_from_db()
    assert tree.key_result.current_value == Decimal(40)
    assert tree.key_result.check_ins.count() == 1


def _kpi_evaluated(kpi, status, minutes, capture):
    KpiValue.objects.update_or_create(
        kpi=kpi, period_start=date(2026, 11, 16), defaults={"value": Decimal(1), "status": status}
    )
    from kpis import signals

    with _at(minutes), capture(execute=True):
        signals.kpi_statuses_evaluated.send(sender=type(kpi), organization=kpi.organization, kpis=[kpi])


def test_a_kpi_turning_red_alerts_and_its_return_to_green_is_celebrated(
    tree, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    kpi = KpiFactory(organization=tree.cycle.organization, name="Win rate", owner=tree.owner, team=tree.team)
    _kpi_evaluated(kpi, KpiStatus.GREEN, 0, capture)
    _kpi_evaluated(kpi, KpiStatus.RED, 15, capture)
    _kpi_evaluated(kpi, KpiStatus.GREEN, 30, capture)  # red for one evaluation: nothing
    _kpi_evaluated(kpi, KpiStatus.RED, 45, capture)
    assert Notification.objects.count() == 0
    _kpi_evaluated(kpi, KpiStatus.RED, 60, capture)
    assert _titles(tree.owner) == ["KPI “Win rate” turned red"]
    _kpi_evaluated(kpi, KpiStatus.GREEN, 75, capture)
    _kpi_evaluated(kpi, KpiStatus.GREEN, 90, capture)
    assert "KPI “Win rate” is back to green" in _titles(tree.teammate)
    assert Notification.objects.filter(kind=NotificationKind.CELEBRATION).count() == 2  # owner and teammate


def test_every_kpi_recomputation_run_is_an_evaluation(org_a):
    kpi = KpiFactory(organization=org_a, target=Decimal(10), critical_threshold=Decimal(5))
    MeasurementFactory(kpi=kpi, value=Decimal(2), timestamp=datetime(2026, 11, 16, 8, tzinfo=UTC))
    with _at(0):
        kpi_recompute(organization_id=org_a.pk)
    tracker = StatusTracker.objects.get(subject=Subject.KPI, subject_id=kpi.pk)
    assert tracker.notified_status == KpiStatus.RED
