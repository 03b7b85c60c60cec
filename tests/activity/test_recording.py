"""What the history records, whatever the interface: field by field, with the organization, never the
recomputed figures, and kept when the object is deleted."""

from decimal import Decimal

import pytest

from accounts import services as account_services
from accounts.choices import Role
from activity.models import ActivityEntry
from common.people import person_name
from kpis.services import definitions as kpi_services
from okrs import services
from okrs.models import KeyResult, Objective
from tests.accounts.factories import TeamFactory
from tests.activity.conftest import changes, entries_of
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(admin_a):
    return CycleFactory(organization=admin_a.organization, name="Q4")


@pytest.fixture
def objective(cycle, admin_a):
    return services.objective_create(
        user=admin_a.user,
        cycle=cycle,
        title="Grow EMEA",
        so_what="More revenue.",
        outcome_kind="growth",
        owner=admin_a.user,
    )


@pytest.fixture
def key_result(objective, admin_a):
    return services.key_result_create(
        objective=objective,
        user=admin_a.user,
        title="EMEA pipeline",
        owner=admin_a.user,
        kind="increase",
        unit="number",
        start_value=Decimal(0),
        target_value=Decimal(40),
        due_date=objective.cycle.end,
    )


def test_a_change_is_recorded_field_by_field_with_readable_values(objective, admin_a):
    services.objective_update(
        objective=objective, user=admin_a.user, title="Grow EMEA fast", state="in_review"
    )
    [created] = entries_of(objective, "create")
    assert created.organization_id == admin_a.organization.pk and created.objective_id == objective.pk
    # A creation lists every field given a value, defaults included, with names and labels.
    assert changes(created) == {
        "cycle": [None, "Q4"],
        "title": [None, "Grow EMEA"],
        "type": [None, "Committed"],
        "so_what": [None, "More revenue."],
        "outcome_kind": [None, "Growth"],
        "owner": [None, person_name(admin_a.user)],
        "state": [None, "Draft"],
    }
    # In the model's field order, on every database.
    assert [change.field for change in created.described] == [
        "cycle",
        "title",
        "type",
        "so_what",
        "outcome_kind",
        "owner",
        "state",
    ]
    [updated] = entries_of(objective, "update")
    assert changes(updated) == {"title": ["Grow EMEA", "Grow EMEA fast"], "state": ["Draft", "In review"]}
    assert updated.object_repr == "Grow EMEA fast"


def test_check_ins_and_recomputation_add_nothing_to_the_history(objective, key_result, admin_a):
    services.objective_update(objective=objective, user=admin_a.user, state="in_review")
    services.objective_update(objective=objective, user=admin_a.user, state="active")
    before = ActivityEntry.objects.count()
    services.check_in_create(key_result=key_result, value=Decimal(20), confidence=8, author=admin_a.user)
    services.progress_refresh(cycle_ids=[objective.cycle_id])
    key_result.refresh_from_db()
    objective.refresh_from_db()
    assert key_result.progress == Decimal("0.5") and objective.progress == Decimal("0.5")
    # The check-in is its own record (the check-in history); progress, status and the key result's
    # current value and confidence that follow from it are not repeated here.
    assert ActivityEntry.objects.count() == before


def test_a_deleted_objective_keeps_its_history_and_its_key_results(objective, key_result, admin_a):
    objective_id = objective.pk
    services.objective_delete(objective=objective, user=admin_a.user)
    objective.pk = objective_id  # Django forgets the id of a deleted object; its history does not
    assert not Objective.objects.exists() and not KeyResult.objects.exists()
    [deleted] = entries_of(objective, "delete")
    assert deleted.object_repr == "Grow EMEA"
    assert changes(deleted)["title"] == ["Grow EMEA", None]
    assert changes(deleted)["state"] == ["Draft", None]  # the last values, defaults included
    [kr_deleted] = entries_of(key_result, "delete")
    assert kr_deleted.objective_id == objective.pk
    assert changes(kr_deleted)["target_value"] == ["40", None]
    assert [e.action_name for e in entries_of(objective)] == ["create", "delete"]


def test_changed_owner_and_team_are_named_and_a_deleted_team_shows_its_id(objective, admin_a, editor_a):
    team = TeamFactory(organization=admin_a.organization, name="Sales")
    services.objective_update(objective=objective, user=admin_a.user, owner=editor_a.user, team=team)
    team_id = team.pk
    account_services.team_delete(team=team)
    [updated] = entries_of(objective, "update")
    owners = [person_name(admin_a.user), person_name(editor_a.user)]
    assert changes(updated) == {"owner": owners, "team": [None, f"#{team_id}"]}


def test_membership_role_and_teams(admin_a, editor_a):
    sales = TeamFactory(organization=admin_a.organization, name="Sales")
    membership = editor_a.membership
    account_services.membership_update(membership=membership, role=Role.VIEWER, teams=[sales])
    role_change, teams_change = entries_of(membership, "update")
    assert changes(role_change) == {"role": ["Editor", "Viewer"]}
    assert changes(teams_change) == {"teams": [[], ["Sales"]]}
    assert role_change.organization_id == admin_a.organization.pk


def test_status_rules_of_the_organization(admin_a):
    organization = admin_a.organization
    account_services.organization_update(
        organization=organization, on_track_margin=Decimal("0.05"), check_in_cadence_days=7
    )
    [updated] = entries_of(organization, "update")
    assert changes(updated) == {"on_track_margin": ["0.1", "0.05"], "check_in_cadence_days": [14, 7]}
    assert updated.organization_id == organization.pk


def test_kpi_definition_priority_cycle_and_team_changes(admin_a):
    organization = admin_a.organization
    priority = PriorityFactory(organization=organization, title="Grow net revenue")
    kpi = KpiFactory(organization=organization, code="win_rate", name="Win rate")
    kpi_services.kpi_update(kpi=kpi, target=Decimal("30"), priorities=[priority])
    kpi_entries = entries_of(kpi, "update")
    assert {"target": [None, "30"]} in [changes(e) for e in kpi_entries]
    assert {"priorities": [[], ["Grow net revenue"]]} in [changes(e) for e in kpi_entries]
    services.priority_update(priority=priority, title="Grow revenue")
    assert changes(entries_of(priority, "update")[0]) == {"title": ["Grow net revenue", "Grow revenue"]}
    cycle = CycleFactory(organization=organization, name="Q1")
    services.cycle_update(cycle=cycle, name="Q1 2027")
    assert changes(entries_of(cycle, "update")[0]) == {"name": ["Q1", "Q1 2027"]}
    team = account_services.team_create(organization=organization, name="Sales")
    account_services.team_update(team=team, kind="marketing")
    assert changes(entries_of(team, "update")[0]) == {"kind": ["Other", "Marketing"]}


def test_a_webhook_secret_is_recorded_as_changed_never_with_its_value(admin_a):
    endpoint = webhook_services.webhook_endpoint_create(
        organization=admin_a.organization,
        url="https://hooks.example.com/rumbo",
        secret="first-secret-0123456789",
        events=["check_in.created"],
    )
    webhook_services.webhook_endpoint_update(endpoint=endpoint, secret="second-secret-0123456789")
    [created] = entries_of(endpoint, "create")
    [updated] = entries_of(endpoint, "update")
    assert changes(created)["secret"] == [None, "********"]
    assert changes(updated) == {"secret": ["********", "********"]}
    stored = str(list(ActivityEntry.objects.values_list("changes", flat=True)))
    assert "secret-0123456789" not in stored


def test_each_entry_belongs_to_its_own_organization(objective, member_b):
    other = ObjectiveFactory(cycle=CycleFactory(organization=member_b.organization))
    KeyResultFactory(objective=other, owner=other.owner)
    assert {e.organization_id for e in entries_of(other)} == {member_b.organization.pk}
    assert {e.organization_id for e in entries_of(objective)} == {objective.cycle.organization_id}
    assert not ActivityEntry.objects.filter(organization__isnull=True).exists()


def test_closing_a_cycle_records_the_states_not_the_figures_and_a_score_adjustment_is_recorded(
    objective, key_result, admin_a
):
    services.objective_update(objective=objective, user=admin_a.user, state="in_review")
    services.objective_update(objective=objective, user=admin_a.user, state="active")
    services.check_in_create(key_result=key_result, value=Decimal(20), confidence=8, author=admin_a.user)
    before = ActivityEntry.objects.count()
    services.cycle_close(cycle=objective.cycle, user=admin_a.user)
    key_result.refresh_from_db()
    assert key_result.score == Decimal("0.50")
    # The closing itself is recorded (the cycle's and the objective's state); the scores it computed,
    # like progress, are figures: not in the history.
    [cycle_closed] = entries_of(objective.cycle, "update")
    [objective_closed] = entries_of(objective, "update")[-1:]
    assert changes(cycle_closed) == {"state": ["Active", "Closed"]}
    assert changes(objective_closed) == {"state": ["Active", "Closed"]}
    assert ActivityEntry.objects.count() == before + 2
    services.key_result_score_set(
        key_result=key_result, score=Decimal("0.7"), reason="Late deal", user=admin_a.user
    )
    [adjusted] = entries_of(key_result, "update")
    assert changes(adjusted) == {"score": ["0.5", "0.7"], "score_reason": ["", "Late deal"]}
