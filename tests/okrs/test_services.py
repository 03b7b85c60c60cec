from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from common.exceptions import ApplicationError
from common.locks import held_lock
from okrs import services
from okrs.choices import CycleState, KeyResultKind, ObjectiveState, Status
from okrs.models import KeyResult, KeyResultSnapshot, Objective, ObjectiveSnapshot, RollUp
from tests.accounts.factories import OrganizationFactory, TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db
MID_CYCLE = datetime(2026, 11, 15, 12, tzinfo=UTC)  # cycle 2026-10-01..12-31: expected 46/92 = 0.5


@time_machine.travel(MID_CYCLE, tick=False)
def test_latest_check_in_sets_current_value_and_is_traceable():
    key_result = KeyResultFactory(start_value=0, target_value=100, current_value=0)
    first = services.check_in_create(key_result=key_result, value=Decimal(30), confidence=6)
    second = services.check_in_create(
        key_result=key_result, value=Decimal(55), confidence=7, note="Good week"
    )
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(55)
    assert key_result.confidence == 7
    assert (first.previous_value, second.previous_value) == (Decimal(0), Decimal(30))
    assert key_result.progress == Decimal("0.55")
    assert key_result.status == Status.ON_TRACK
    key_result.objective.refresh_from_db()
    assert key_result.objective.progress == Decimal("0.55")


@time_machine.travel(MID_CYCLE, tick=False)
def test_a_back_dated_check_in_does_not_overwrite_a_newer_value():
    key_result = KeyResultFactory()
    services.check_in_create(key_result=key_result, value=Decimal(40), confidence=5)
    services.check_in_create(
        key_result=key_result, value=Decimal(10), confidence=5, checked_in_at=MID_CYCLE - timedelta(days=7)
    )
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(40)
    assert key_result.check_ins.count() == 2


def test_check_in_on_a_closed_cycle_is_refused():
    key_result = KeyResultFactory(objective__cycle__state=CycleState.CLOSED)
    with pytest.raises(ApplicationError):
        services.check_in_create(key_result=key_result, value=Decimal(1), confidence=5)


def _portfolio():
    organization = OrganizationFactory()
    cycle = CycleFactory(organization=organization)
    team = TeamFactory(organization=organization)
    priority = PriorityFactory(organization=organization)
    on_track = ObjectiveFactory(cycle=cycle, team=team, priority=priority)
    behind = ObjectiveFactory(cycle=cycle, team=team, priority=priority)
    draft = ObjectiveFactory(cycle=cycle, team=team, priority=priority, state=ObjectiveState.DRAFT)
    checked = MID_CYCLE - timedelta(days=1)
    KeyResultFactory(objective=on_track, current_value=60, last_check_in_at=checked, weight=1)
    KeyResultFactory(objective=on_track, current_value=40, last_check_in_at=checked, weight=3)
    KeyResultFactory(
        objective=behind,
        kind=KeyResultKind.DECREASE,
        start_value=62,
        target_value=52,
        current_value=61,
        last_check_in_at=checked,
    )
    KeyResultFactory(objective=draft, current_value=100, last_check_in_at=checked)
    return organization, cycle, team, priority, on_track, behind, draft


@time_machine.travel(MID_CYCLE, tick=False)
def test_recompute_sets_progress_status_and_rolls_up_only_active_objectives():
    organization, cycle, team, priority, on_track, behind, draft = _portfolio()
    result = services.progress_recompute(organization_id=organization.pk)
    assert not result.skipped
    on_track.refresh_from_db()
    behind.refresh_from_db()
    draft.refresh_from_db()
    assert on_track.progress == Decimal("0.45")  # (0.6*1 + 0.4*3) / 4
    assert on_track.status == Status.ON_TRACK
    assert behind.progress == Decimal("0.1")
    assert behind.status == Status.OFF_TRACK
    assert draft.progress == Decimal(1)  # computed, but a draft does not count in roll-ups
    team_rollup = RollUp.objects.get(cycle=cycle, team=team)
    priority_rollup = RollUp.objects.get(cycle=cycle, priority=priority)
    for rollup in (team_rollup, priority_rollup):
        assert rollup.progress == Decimal("0.275")
        assert rollup.expected_progress == Decimal("0.5")
        assert rollup.objective_count == 2
        assert rollup.status_counts == {"off_track": 1, "on_track": 1}


@time_machine.travel(MID_CYCLE, tick=False)
def test_recompute_twice_gives_the_same_rows():
    organization, *_ = _portfolio()
    services.progress_recompute(organization_id=organization.pk)

    def state():
        return (
            sorted(KeyResult.objects.values_list("pk", "progress", "status", "updated_at")),
            sorted(Objective.objects.values_list("pk", "progress", "status", "updated_at")),
            sorted(KeyResultSnapshot.objects.values_list("key_result", "date", "progress", "status")),
            sorted(ObjectiveSnapshot.objects.values_list("objective", "date", "progress", "status")),
            sorted(RollUp.objects.values_list("pk", "team", "priority", "progress", "status_counts")),
        )

    before = state()
    services.progress_recompute(organization_id=organization.pk)
    assert state() == before
    assert KeyResultSnapshot.objects.count() == 4
    assert ObjectiveSnapshot.objects.count() == 3


def test_snapshots_keep_one_row_per_day_as_history():
    organization, *_ = _portfolio()
    for day in (MID_CYCLE, MID_CYCLE + timedelta(days=1), MID_CYCLE + timedelta(days=1, hours=3)):
        with time_machine.travel(day, tick=False):
            services.progress_recompute(organization_id=organization.pk)
    assert ObjectiveSnapshot.objects.values("date").distinct().count() == 2
    assert ObjectiveSnapshot.objects.count() == 6


@time_machine.travel(MID_CYCLE, tick=False)
def test_recompute_is_skipped_while_another_run_holds_the_organization_lock():
    organization, *_ = _portfolio()
    with held_lock("okrs.recompute", organization.pk):
        result = services.progress_recompute(organization_id=organization.pk)
    assert result.skipped
    assert not RollUp.objects.exists()


@time_machine.travel(MID_CYCLE, tick=False)
def test_a_team_without_counting_objectives_loses_its_rollup():
    organization, cycle, team, _, on_track, behind, _ = _portfolio()
    services.progress_recompute(organization_id=organization.pk)
    Objective.objects.filter(pk__in=[on_track.pk, behind.pk]).update(team=None)
    services.progress_recompute(organization_id=organization.pk)
    assert not RollUp.objects.filter(team=team).exists()


@time_machine.travel(MID_CYCLE, tick=False)
def test_stale_when_last_check_in_is_older_than_the_organizations_cadence():
    key_result = KeyResultFactory(current_value=50, last_check_in_at=MID_CYCLE - timedelta(days=8))
    organization = key_result.objective.cycle.organization
    services.progress_recompute(organization_id=organization.pk)
    key_result.refresh_from_db()
    assert key_result.status == Status.ON_TRACK
    organization.check_in_cadence_days = 7
    organization.save()
    services.progress_recompute(organization_id=organization.pk)
    key_result.refresh_from_db()
    assert key_result.status == Status.STALE


@time_machine.travel(datetime(2027, 1, 2, tzinfo=UTC), tick=False)
def test_cycle_close_scores_key_results_by_progress_and_owner_adjusts_with_reason():
    key_result = KeyResultFactory(current_value=0)
    services.check_in_create(key_result=key_result, value=Decimal("66.6"), confidence=5)
    cycle = key_result.objective.cycle
    services.cycle_close(cycle=cycle)
    key_result.refresh_from_db()
    key_result.objective.refresh_from_db()
    assert key_result.score == Decimal("0.67")
    assert key_result.score_colour == "yellow"
    assert key_result.objective.state == ObjectiveState.CLOSED
    with pytest.raises(ApplicationError):
        services.key_result_score_set(
            key_result=key_result, score=Decimal("0.8"), reason=" ", user=key_result.owner
        )
    with pytest.raises(ApplicationError):
        services.key_result_score_set(
            key_result=key_result,
            score=Decimal("0.8"),
            reason="Won the deal",
            user=key_result.objective.owner,
        )
    services.key_result_score_set(
        key_result=key_result,
        score=Decimal("0.8"),
        reason="The big deal signed on Jan 2",
        user=key_result.owner,
    )
    key_result.refresh_from_db()
    assert (key_result.score, key_result.score_colour) == (Decimal("0.8"), "green")
    with pytest.raises(ApplicationError):
        services.cycle_close(cycle=cycle)


def test_future_cycle_expects_nothing_yet():
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        key_result = KeyResultFactory(objective__cycle__start=date(2026, 10, 1))
        services.progress_recompute(organization_id=key_result.objective.cycle.organization_id)
    key_result.refresh_from_db()
    assert key_result.expected_progress == 0
    assert key_result.status == Status.NOT_STARTED
