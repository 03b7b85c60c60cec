"""Every write leaves every figure it affects right before it returns; the schedule finds nothing to fix."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts import services as account_services
from accounts.choices import Role
from common.exceptions import ApplicationError
from kpis.choices import Aggregation, Cadence
from kpis.models import KpiValue
from okrs import rules, services
from okrs.choices import CycleState, KeyResultKind, KpiWindow, ObjectiveState, ObjectiveType, Status
from okrs.models import (
    CheckIn,
    Cycle,
    KeyResult,
    KeyResultSnapshot,
    Objective,
    ObjectiveSnapshot,
    ObjectiveStateChange,
    RollUp,
)
from tests.accounts.factories import MembershipFactory, OrganizationFactory, TeamFactory
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory, editor_of

pytestmark = pytest.mark.django_db
# The cycle runs 2026-10-01..12-31 (92 days); on 2026-11-23, 54 days have elapsed: 0.5870 expected.
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
frozen = time_machine.travel(NOW, tick=False)


def _expected(today: date) -> Decimal:
    return rules.round_figure(
        rules.expected_progress(start=date(2026, 10, 1), end=date(2026, 12, 31), today=today)
    )


def _kr_fields(objective, **overrides):
    fields = {
        "title": "Win rate",
        "owner": editor_of(objective.cycle.organization),
        "kind": KeyResultKind.INCREASE,
        "start_value": Decimal(0),
        "target_value": Decimal(100),
    }
    return {**fields, **overrides}


def _figures(organization) -> dict:
    """Every stored figure of the organization, to compare before and after a scheduled run."""
    scope = {"objective__cycle__organization": organization}
    return {
        "key_results": sorted(
            KeyResult.objects.filter(**scope).values_list(
                "pk", "attainment", "progress", "expected_progress", "status", "score", "current_value"
            )
        ),
        "objectives": sorted(
            Objective.objects.filter(cycle__organization=organization).values_list(
                "pk", "progress", "expected_progress", "status", "last_check_in_at", "score"
            )
        ),
        "rollups": sorted(
            RollUp.objects.filter(cycle__organization=organization).values_list(
                "cycle", "team", "priority", "progress", "expected_progress", "status", "objective_count"
            ),
            key=str,
        ),
        "kr_snapshots": sorted(
            KeyResultSnapshot.objects.filter(
                key_result__objective__cycle__organization=organization
            ).values_list("key_result", "date", "value", "progress", "expected_progress", "status")
        ),
        "objective_snapshots": sorted(
            ObjectiveSnapshot.objects.filter(objective__cycle__organization=organization).values_list(
                "objective", "date", "progress", "expected_progress", "status"
            )
        ),
    }


def _assert_schedule_changes_nothing(organization):
    before = _figures(organization)
    result = services.progress_recompute(organization_id=organization.pk)
    assert result.changed == 0
    assert _figures(organization) == before


@pytest.fixture
def plan():
    """An organization with a team, a priority, a parent objective and an objective with one key result."""
    organization = OrganizationFactory()
    cycle = CycleFactory(organization=organization, start=date(2026, 10, 1), end=date(2026, 12, 31))
    team = TeamFactory(organization=organization)
    priority = PriorityFactory(organization=organization)
    parent = ObjectiveFactory(cycle=cycle, team=team, priority=priority)
    objective = ObjectiveFactory(cycle=cycle, team=team, priority=priority, parent=parent)
    key_result = KeyResultFactory(objective=objective, start_value=0, target_value=10, current_value=0)
    admin = MembershipFactory(organization=organization, role=Role.ADMIN).user
    services.progress_recompute(organization_id=organization.pk)
    return {
        "organization": organization,
        "cycle": cycle,
        "team": team,
        "priority": priority,
        "parent": parent,
        "objective": objective,
        "key_result": key_result,
        "admin": admin,
    }


@frozen
def test_adding_a_weighty_key_result_next_to_an_achieved_one_changes_the_objective_at_once(plan):
    objective, achieved = plan["objective"], plan["key_result"]
    services.check_in_create(key_result=achieved, value=Decimal(10), confidence=9)
    objective.refresh_from_db()
    assert (objective.progress, objective.status) == (Decimal(1), Status.ACHIEVED)

    services.key_result_create(objective=objective, **_kr_fields(objective, weight=Decimal(3)))

    objective.refresh_from_db()
    assert objective.progress == Decimal("0.2500")
    assert objective.status != Status.ACHIEVED
    rollup = RollUp.objects.get(cycle=plan["cycle"], team=plan["team"])
    assert rollup.progress == Decimal("0.1250")  # the parent (0) and this objective (0.25)


@frozen
def test_reweighting_and_deleting_a_key_result_change_the_objective_at_once(plan):
    objective, achieved = plan["objective"], plan["key_result"]
    services.check_in_create(key_result=achieved, value=Decimal(10), confidence=9)
    other = services.key_result_create(objective=objective, **_kr_fields(objective))
    objective.refresh_from_db()
    assert objective.progress == Decimal("0.5000")

    services.key_result_update(key_result=other, weight=Decimal(3))
    objective.refresh_from_db()
    assert objective.progress == Decimal("0.2500")

    services.key_result_delete(key_result=other)
    objective.refresh_from_db()
    assert objective.progress == Decimal("1.0000")
    assert RollUp.objects.get(cycle=plan["cycle"], priority=plan["priority"]).progress == Decimal("0.5000")


@frozen
def test_a_new_key_result_shows_the_expected_progress_of_the_elapsed_cycle(plan):
    key_result = services.key_result_create(objective=plan["objective"], **_kr_fields(plan["objective"]))
    assert key_result.expected_progress == _expected(date(2026, 11, 23)) == Decimal("0.5870")


@frozen
def test_expected_progress_is_computed_for_the_organizations_local_date(plan):
    organization = plan["organization"]
    account_services.organization_update(organization=organization, time_zone="Pacific/Kiritimati")
    key_result = KeyResult.objects.get(pk=plan["key_result"].pk)
    # 12:00 UTC on the 23rd is 02:00 on the 24th in Kiritimati (UTC+14): one more day has elapsed.
    assert key_result.expected_progress == _expected(date(2026, 11, 24))
    assert services.organization_today(organization) == date(2026, 11, 24)
    assert ObjectiveSnapshot.objects.filter(objective=plan["objective"], date=date(2026, 11, 24)).exists()


@frozen
def test_an_objective_is_the_weighted_mean_of_unrounded_key_result_progress(plan):
    objective = ObjectiveFactory(cycle=plan["cycle"])
    thirds = {"kind": KeyResultKind.INCREASE, "start_value": Decimal(0), "target_value": Decimal(3)}
    one = services.key_result_create(objective=objective, **_kr_fields(objective, **thirds))
    two = services.key_result_create(
        objective=objective, **_kr_fields(objective, **thirds, weight=Decimal(3))
    )
    services.check_in_create(key_result=one, value=Decimal(1), confidence=5)
    services.check_in_create(key_result=two, value=Decimal(2), confidence=5)
    objective.refresh_from_db()
    # (1/3 + 3 × 2/3) / 4 = 0.58333…; averaging the rounded 0.3333 and 0.6667 would give 0.5834.
    assert objective.progress == Decimal("0.5833")


@frozen
def test_status_rules_changed_by_an_admin_apply_at_once(plan):
    key_result = plan["key_result"]
    services.check_in_create(key_result=key_result, value=Decimal(4), confidence=5)  # 0.4 against 0.587
    assert KeyResult.objects.get(pk=key_result.pk).status == Status.AT_RISK
    account_services.organization_update(
        organization=plan["organization"], on_track_margin=Decimal("0.2"), at_risk_margin=Decimal("0.3")
    )
    assert KeyResult.objects.get(pk=key_result.pk).status == Status.ON_TRACK
    _assert_schedule_changes_nothing(plan["organization"])


WRITES = {
    "check-in": lambda p: services.check_in_create(
        key_result=p["key_result"], value=Decimal(3), confidence=4
    ),
    "key result created": lambda p: services.key_result_create(
        objective=p["objective"], **_kr_fields(p["objective"], weight=Decimal(2))
    ),
    "key result reweighted": lambda p: services.key_result_update(
        key_result=p["key_result"], weight=Decimal(5)
    ),
    "key result retargeted": lambda p: services.key_result_update(
        key_result=p["key_result"], target_value=Decimal(4)
    ),
    "key result deleted": lambda p: services.key_result_delete(key_result=p["key_result"]),
    "objective closed": lambda p: services.objective_update(
        objective=p["objective"], state=ObjectiveState.CLOSED
    ),
    "objective realigned": lambda p: services.objective_update(
        objective=p["objective"], priority=None, team=None, parent=None
    ),
    "objective deleted": lambda p: services.objective_delete(objective=p["objective"]),
    "cycle dates": lambda p: services.cycle_update(cycle=p["cycle"], start=date(2026, 11, 1)),
    "cycle closed": lambda p: services.cycle_close(cycle=p["cycle"]),
    "status rules": lambda p: account_services.organization_update(
        organization=p["organization"], check_in_cadence_days=1
    ),
}


@frozen
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_after_any_write_the_scheduled_recomputation_finds_nothing_to_change(plan, write):
    services.check_in_create(key_result=plan["key_result"], value=Decimal(6), confidence=6)
    write(plan)
    _assert_schedule_changes_nothing(plan["organization"])


@frozen
def test_linking_a_key_result_to_a_kpi_gives_it_the_kpis_value_at_once(plan):
    organization = plan["organization"]
    kpi = KpiFactory(organization=organization, cadence=Cadence.MONTHLY, aggregation=Aggregation.SUM)
    KpiValue.objects.create(kpi=kpi, period_start=date(2026, 11, 1), value=Decimal(7), measurement_count=1)
    key_result = services.key_result_update(
        key_result=plan["key_result"], kpi=kpi, kpi_window=KpiWindow.LATEST_PERIOD
    )
    assert key_result.current_value == Decimal(7)
    assert key_result.progress == Decimal("0.7000")
    plan["objective"].refresh_from_db()
    assert plan["objective"].progress == Decimal("0.7000")
    _assert_schedule_changes_nothing(organization)


@frozen
def test_the_schedule_repairs_a_closed_cycle(plan):
    key_result = plan["key_result"]
    services.check_in_create(key_result=key_result, value=Decimal(5), confidence=6)
    services.cycle_close(cycle=plan["cycle"])
    # A figure gone wrong behind the services' back (an import, a bug) is put right by the schedule.
    KeyResult.objects.filter(pk=key_result.pk).update(progress=Decimal("0.3293"))
    Objective.objects.filter(pk=plan["objective"].pk).update(progress=Decimal("0.3293"))
    services.progress_recompute(organization_id=plan["organization"].pk)
    assert KeyResult.objects.get(pk=key_result.pk).progress == Decimal("0.5000")
    assert Objective.objects.get(pk=plan["objective"].pk).progress == Decimal("0.5000")


@frozen
def test_closing_a_cycle_scores_every_key_result_and_objective(plan):
    objective = plan["objective"]
    services.check_in_create(key_result=plan["key_result"], value=Decimal(5), confidence=6)
    other = services.key_result_create(objective=objective, **_kr_fields(objective, weight=Decimal(3)))
    services.check_in_create(key_result=other, value=Decimal(100), confidence=9)
    draft = ObjectiveFactory(cycle=plan["cycle"], state=ObjectiveState.DRAFT)

    cycle = services.cycle_close(cycle=plan["cycle"], user=plan["admin"])

    assert (cycle.state, cycle.closed_at) == (CycleState.CLOSED, NOW)
    objective.refresh_from_db()
    assert (objective.state, objective.closed_at) == (ObjectiveState.CLOSED, NOW)
    scores = dict(KeyResult.objects.filter(objective=objective).values_list("pk", "score"))
    assert scores == {plan["key_result"].pk: Decimal("0.50"), other.pk: Decimal("1.00")}
    assert objective.score == Decimal("0.88")  # (0.5 + 3 × 1.0) / 4 = 0.875, halves up
    assert objective.score_colour == "green"
    assert (
        ObjectiveStateChange.objects.filter(objective=objective, to_state=ObjectiveState.CLOSED).count() == 1
    )
    draft.refresh_from_db()
    assert draft.state == ObjectiveState.DRAFT  # it never counted; it stays as it was


@frozen
def test_the_owner_adjusts_a_score_with_a_reason_and_the_objective_follows(plan):
    key_result = plan["key_result"]
    services.check_in_create(key_result=key_result, value=Decimal(5), confidence=6)
    services.cycle_close(cycle=plan["cycle"])
    with pytest.raises(ApplicationError, match="owner"):
        services.key_result_score_set(
            key_result=key_result, score=Decimal("0.7"), reason="x", user=plan["admin"]
        )
    with pytest.raises(ApplicationError, match="why"):
        services.key_result_score_set(
            key_result=key_result, score=Decimal("0.7"), reason=" ", user=key_result.owner
        )
    services.key_result_score_set(
        key_result=key_result,
        score=Decimal("0.7"),
        reason="Two deals slipped by a day",
        user=key_result.owner,
    )
    objective = Objective.objects.get(pk=plan["objective"].pk)
    assert objective.score == Decimal("0.70")
    _assert_schedule_changes_nothing(plan["organization"])


@frozen
def test_a_closed_cycle_is_read_only(plan):
    services.cycle_close(cycle=plan["cycle"])
    objective = Objective.objects.get(pk=plan["objective"].pk)
    key_result = KeyResult.objects.get(pk=plan["key_result"].pk)
    refused = [
        lambda: services.check_in_create(key_result=key_result, value=Decimal(9), confidence=5),
        lambda: services.key_result_update(key_result=key_result, target_value=Decimal(20)),
        lambda: services.key_result_create(objective=objective, **_kr_fields(objective)),
        lambda: services.key_result_delete(key_result=key_result),
        lambda: services.objective_update(objective=objective, title="Something else"),
        lambda: services.objective_reopen(objective=objective, user=plan["admin"], reason="Late deal"),
        lambda: services.objective_create(
            cycle=plan["cycle"], title="Late", so_what="x", outcome_kind="growth", owner=plan["admin"]
        ),
        lambda: services.cycle_update(cycle=plan["cycle"], state=CycleState.ACTIVE),
        lambda: services.cycle_close(cycle=plan["cycle"]),
    ]
    for write in refused:
        with pytest.raises(ApplicationError):
            write()
    assert not CheckIn.objects.filter(value=Decimal(9)).exists()
    assert KeyResult.objects.get(pk=key_result.pk).target_value == Decimal(10)


@frozen
@pytest.mark.parametrize(
    ("start", "new", "allowed"),
    [
        (ObjectiveState.DRAFT, ObjectiveState.IN_REVIEW, True),
        (ObjectiveState.DRAFT, ObjectiveState.ACTIVE, False),
        (ObjectiveState.DRAFT, ObjectiveState.CLOSED, False),
        (ObjectiveState.IN_REVIEW, ObjectiveState.ACTIVE, True),
        (ObjectiveState.IN_REVIEW, ObjectiveState.DRAFT, True),
        (ObjectiveState.IN_REVIEW, ObjectiveState.CLOSED, False),
        (ObjectiveState.ACTIVE, ObjectiveState.CLOSED, True),
        (ObjectiveState.ACTIVE, ObjectiveState.DRAFT, False),
        (ObjectiveState.ACTIVE, ObjectiveState.IN_REVIEW, False),
        (ObjectiveState.CLOSED, ObjectiveState.ACTIVE, False),
        (ObjectiveState.CLOSED, ObjectiveState.DRAFT, False),
    ],
)
def test_objective_moves_only_along_its_lifecycle(plan, start, new, allowed):
    objective = ObjectiveFactory(cycle=plan["cycle"], state=start)
    if allowed:
        services.objective_update(objective=objective, state=new)
        assert Objective.objects.get(pk=objective.pk).state == new
        assert ObjectiveStateChange.objects.filter(
            objective=objective, from_state=start, to_state=new
        ).exists()
    else:
        with pytest.raises(ApplicationError) as error:
            services.objective_update(objective=objective, state=new)
        assert error.value.field == "state"
        assert Objective.objects.get(pk=objective.pk).state == start


@frozen
def test_only_an_admin_reopens_a_closed_objective_and_the_reason_is_kept(plan):
    objective = services.objective_update(objective=plan["objective"], state=ObjectiveState.CLOSED)
    assert KeyResult.objects.get(pk=plan["key_result"].pk).score == Decimal("0.00")
    editor = editor_of(plan["organization"])
    with pytest.raises(ApplicationError, match="admin"):
        services.objective_reopen(objective=objective, user=editor, reason="A deal came back")
    with pytest.raises(ApplicationError) as error:
        services.objective_reopen(objective=objective, user=plan["admin"], reason="")
    assert error.value.field == "reason"

    services.objective_reopen(objective=objective, user=plan["admin"], reason="A deal came back")

    objective.refresh_from_db()
    assert (objective.state, objective.closed_at, objective.score) == (ObjectiveState.ACTIVE, None, None)
    change = ObjectiveStateChange.objects.filter(objective=objective).first()
    assert (change.from_state, change.to_state, change.user, change.reason) == (
        ObjectiveState.CLOSED,
        ObjectiveState.ACTIVE,
        plan["admin"],
        "A deal came back",
    )
    assert KeyResult.objects.get(pk=plan["key_result"].pk).score is None


@frozen
@pytest.mark.parametrize("state", [ObjectiveState.DRAFT, ObjectiveState.IN_REVIEW, ObjectiveState.CLOSED])
def test_check_ins_are_taken_on_active_objectives_only(plan, state):
    objective = ObjectiveFactory(cycle=plan["cycle"], state=state)
    key_result = KeyResultFactory(objective=objective)
    with pytest.raises(ApplicationError, match="active objectives"):
        services.check_in_create(key_result=key_result, value=Decimal(5), confidence=5)
    assert not key_result.check_ins.exists()


@frozen
def test_a_milestone_goes_from_zero_to_one(plan):
    objective = plan["objective"]
    milestone = {"kind": KeyResultKind.MILESTONE, "start_value": Decimal(0)}
    with pytest.raises(ValidationError) as error:
        services.key_result_create(objective=objective, **_kr_fields(objective, **milestone, target_value=5))
    assert "target_value" in error.value.message_dict
    key_result = services.key_result_create(
        objective=objective, **_kr_fields(objective, **milestone, target_value=1)
    )
    with pytest.raises(ApplicationError) as refused:
        services.check_in_create(key_result=key_result, value=Decimal("0.5"), confidence=5)
    assert refused.value.field == "value"
    services.check_in_create(key_result=key_result, value=Decimal(1), confidence=9)
    assert KeyResult.objects.get(pk=key_result.pk).status == Status.ACHIEVED


@frozen
def test_a_viewer_cannot_be_made_owner(plan):
    viewer = MembershipFactory(organization=plan["organization"], role=Role.VIEWER).user
    with pytest.raises(ApplicationError) as error:
        services.key_result_update(key_result=plan["key_result"], owner=viewer)
    assert error.value.field == "owner"
    with pytest.raises(ApplicationError):
        services.objective_update(objective=plan["objective"], owner=viewer)
    assert KeyResult.objects.get(pk=plan["key_result"].pk).owner != viewer


@frozen
def test_an_aspirational_objective_is_expected_to_score_less(plan):
    assert ObjectiveFactory(cycle=plan["cycle"], type=ObjectiveType.ASPIRATIONAL).expected_score == Decimal(
        "0.7"
    )
    assert ObjectiveFactory(cycle=plan["cycle"], type=ObjectiveType.COMMITTED).expected_score == Decimal(1)


def test_figures_updated_at_is_set_by_every_refresh(plan):
    cycle = Cycle.objects.get(pk=plan["cycle"].pk)
    assert cycle.figures_updated_at is not None
