"""The OKR admin writes through okrs.services: each add, change and delete form, posted as an
organization admin, has the service's effect, and a refusal is a form error (200, nothing stored)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from okrs import services
from okrs.choices import CycleState, KeyResultKind, ObjectiveState, Status
from okrs.models import CheckIn, Cycle, KeyResult, Objective, Priority
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    return admin_a


@pytest.fixture
def cycle(staff):
    """A cycle around today, so that expected progress is neither 0 nor 1."""
    today = timezone.localdate()
    return CycleFactory(
        organization=staff.organization,
        name="Now",
        start=today - timedelta(days=40),
        end=today + timedelta(days=40),
    )


@pytest.fixture
def objective(cycle, staff):
    objective = ObjectiveFactory(cycle=cycle, owner=staff.user, state=ObjectiveState.ACTIVE)
    KeyResultFactory(objective=objective, owner=staff.user, title="Done", current_value=Decimal(100))
    services.progress_refresh(cycle_ids=[cycle.pk])
    objective.refresh_from_db()
    assert objective.progress == 1
    return objective


def _url(model: str, action: str, *args) -> str:
    return reverse(f"admin:okrs_{model}_{action}", args=args)


def _form_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(str(error) for error in response.context["errors"])


def _key_result_data(objective, owner, **overrides) -> dict:
    return {
        "objective": objective.pk,
        "title": "Win 30 new logos",
        "owner": owner.pk,
        "kind": KeyResultKind.INCREASE,
        "unit": "number",
        "start_value": "10",
        "target_value": "40",
        "due_date": "",
        "weight": "3",
        "confidence": "5",
        "kpi": "",
        "kpi_window": "latest_period",
        **overrides,
    }


def test_key_result_added_in_the_admin_gets_its_start_value_and_figures(client, staff, objective):
    response = client.post(_url("keyresult", "add"), _key_result_data(objective, staff.user))
    assert response.status_code == 302
    key_result = KeyResult.objects.get(title="Win 30 new logos")
    assert key_result.current_value == Decimal(10)
    assert key_result.due_date == objective.cycle.end
    assert key_result.progress == 0
    assert 0 < key_result.expected_progress < 1
    objective.refresh_from_db()
    assert objective.progress == Decimal("0.25")  # weight 3 at 0 next to weight 1 at 1, at once


def test_a_refused_key_result_add_is_a_form_error_and_stores_nothing(client, staff, objective):
    data = _key_result_data(objective, staff.user, target_value="10")
    response = client.post(_url("keyresult", "add"), data)
    assert "The target must differ from the start value." in _form_errors(response)
    assert not KeyResult.objects.filter(title="Win 30 new logos").exists()


def test_key_result_of_another_organization_cannot_be_added(client, staff, member_b):
    theirs = ObjectiveFactory(cycle__organization=member_b.organization)
    response = client.post(_url("keyresult", "add"), _key_result_data(theirs, staff.user))
    assert "Select a valid choice" in _form_errors(response)
    assert not KeyResult.objects.exists()


def test_key_result_changed_in_the_admin_refreshes_its_objective(client, staff, objective):
    key_result = KeyResultFactory(objective=objective, owner=staff.user, weight=Decimal(1))
    data = _key_result_data(objective, staff.user, start_value="0", target_value="100", weight="3")
    data["due_date"] = key_result.due_date.isoformat()
    response = client.post(_url("keyresult", "change", key_result.pk), data)
    assert response.status_code == 302
    key_result.refresh_from_db()
    assert (key_result.title, key_result.weight) == ("Win 30 new logos", Decimal(3))
    objective.refresh_from_db()
    assert objective.progress == Decimal("0.25")


def test_key_result_change_in_a_closed_cycle_is_refused_on_the_form(client, staff, objective):
    key_result = objective.key_results.get()
    services.cycle_close(cycle=objective.cycle, user=staff.user)
    data = _key_result_data(objective, staff.user, start_value="0", target_value="100", title="Renamed")
    data["due_date"] = key_result.due_date.isoformat()
    response = client.post(_url("keyresult", "change", key_result.pk), data)
    assert "is closed" in _form_errors(response)
    assert KeyResult.objects.get(pk=key_result.pk).title == "Done"


def test_key_result_deleted_in_the_admin_refreshes_its_objective(client, staff, objective):
    KeyResultFactory(objective=objective, owner=staff.user, weight=Decimal(3))
    services.progress_refresh(cycle_ids=[objective.cycle_id])
    done = objective.key_results.get(title="Done")
    response = client.post(_url("keyresult", "delete", done.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not KeyResult.objects.filter(pk=done.pk).exists()
    objective.refresh_from_db()
    assert objective.progress == 0


def _objective_data(cycle, owner, **overrides) -> dict:
    return {
        "cycle": cycle.pk,
        "title": "Grow the mid-market",
        "description": "",
        "type": "committed",
        "so_what": "Bigger deals.",
        "outcome_kind": "growth",
        "owner": owner.pk,
        "team": "",
        "state": ObjectiveState.DRAFT,
        "priority": "",
        "parent": "",
        **overrides,
    }


def test_objective_added_in_the_admin(client, staff, cycle):
    priority = PriorityFactory(organization=staff.organization)
    data = _objective_data(cycle, staff.user, priority=priority.pk, state=ObjectiveState.ACTIVE)
    response = client.post(_url("objective", "add"), data)
    assert response.status_code == 302
    objective = Objective.objects.get(title="Grow the mid-market")
    assert (objective.priority, objective.state) == (priority, ObjectiveState.ACTIVE)
    assert objective.status == Status.NOT_STARTED


def test_objective_owned_by_a_viewer_is_refused_on_the_form(client, staff, cycle, viewer_a):
    response = client.post(_url("objective", "add"), _objective_data(cycle, viewer_a.user))
    assert "owners must be editors or admins" in _form_errors(response)
    assert not Objective.objects.exists()


def test_objective_lifecycle_is_enforced_in_the_admin(client, staff, cycle):
    objective = ObjectiveFactory(cycle=cycle, owner=staff.user, state=ObjectiveState.DRAFT)
    data = {
        **_objective_data(cycle, staff.user, title=objective.title, state=ObjectiveState.CLOSED),
        **_inline_management(0),
    }
    response = client.post(_url("objective", "change", objective.pk), data)
    assert "cannot move from Draft to Closed" in _form_errors(response)
    assert Objective.objects.get(pk=objective.pk).state == ObjectiveState.DRAFT


def _inline_management(initial: int, total: int | None = None) -> dict:
    return {
        "key_results-TOTAL_FORMS": str(initial if total is None else total),
        "key_results-INITIAL_FORMS": str(initial),
        "key_results-MIN_NUM_FORMS": "0",
        "key_results-MAX_NUM_FORMS": "1000",
    }


def _inline_row(index: int, key_result, owner, **overrides) -> dict:
    row = {
        "id": key_result.pk if key_result else "",
        "objective": key_result.objective_id if key_result else "",
        "title": key_result.title if key_result else "New one",
        "owner": owner.pk,
        "kind": KeyResultKind.INCREASE,
        "unit": "number",
        "start_value": "0",
        "target_value": "100",
        "due_date": (key_result.due_date if key_result else timezone.localdate()).isoformat(),
        "weight": "1",
        "confidence": "5",
        "kpi": "",
        "kpi_window": "latest_period",
        **overrides,
    }
    return {f"key_results-{index}-{name}": value for name, value in row.items()}


def test_objective_change_page_adds_and_changes_key_results_through_the_services(client, staff, objective):
    done = objective.key_results.get()
    data = {
        **_objective_data(objective.cycle, staff.user, title="Renamed", state=ObjectiveState.ACTIVE),
        **_inline_management(1, total=2),
        **_inline_row(0, done, staff.user, weight="1"),
        **_inline_row(1, None, staff.user, weight="3", start_value="5", target_value="25"),
    }
    response = client.post(_url("objective", "change", objective.pk), data)
    assert response.status_code == 302, _form_errors(response)
    objective.refresh_from_db()
    assert objective.title == "Renamed"
    added = objective.key_results.get(title="New one")
    assert added.current_value == Decimal(5)
    assert objective.progress == Decimal("0.25")


def test_a_refused_inline_key_result_leaves_the_objective_unchanged(client, staff, objective):
    done = objective.key_results.get()
    data = {
        **_objective_data(objective.cycle, staff.user, title="Renamed", state=ObjectiveState.ACTIVE),
        **_inline_management(1, total=2),
        **_inline_row(0, done, staff.user),
        **_inline_row(1, None, staff.user, start_value="5", target_value="5"),
    }
    response = client.post(_url("objective", "change", objective.pk), data)
    assert "The target must differ from the start value." in _form_errors(response)
    assert Objective.objects.get(pk=objective.pk).title != "Renamed"
    assert objective.key_results.count() == 1


def test_inline_key_result_deleted_through_the_service(client, staff, objective):
    done = objective.key_results.get()
    other = KeyResultFactory(objective=objective, owner=staff.user)
    data = {
        **_objective_data(objective.cycle, staff.user, title=objective.title, state=ObjectiveState.ACTIVE),
        **_inline_management(2),
        **_inline_row(0, done, staff.user),
        **_inline_row(1, other, staff.user, DELETE="on"),
    }
    response = client.post(_url("objective", "change", objective.pk), data)
    assert response.status_code == 302, _form_errors(response)
    assert list(objective.key_results.all()) == [done]
    objective.refresh_from_db()
    assert objective.progress == 1


def test_objective_deleted_in_the_admin_and_refused_in_a_closed_cycle(client, staff, objective, cycle):
    other = ObjectiveFactory(cycle=cycle, owner=staff.user)
    response = client.post(_url("objective", "delete", other.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Objective.objects.filter(pk=other.pk).exists()
    services.cycle_close(cycle=cycle, user=staff.user)
    response = client.post(_url("objective", "delete", objective.pk), {"post": "yes"}, follow=True)
    assert "is closed" in response.content.decode()
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_cycle_added_in_the_admin_and_a_bad_one_refused(client, staff):
    data = {"organization": staff.organization.pk, "name": "Q1", "start": "2027-01-01", "end": "2027-03-31"}
    response = client.post(_url("cycle", "add"), {**data, "state": CycleState.PLANNING})
    assert response.status_code == 302
    assert Cycle.objects.get(name="Q1").organization == staff.organization
    data.update(name="Q2", end="2026-12-01", state=CycleState.PLANNING)
    response = client.post(_url("cycle", "add"), data)
    assert "cannot end before it starts" in _form_errors(response)
    assert not Cycle.objects.filter(name="Q2").exists()


def test_cycle_add_page_suggests_the_admins_organization(client, staff):
    response = client.get(_url("cycle", "add"))
    assert response.context["adminform"].form.initial["organization"] == staff.organization.pk


def test_cycle_cannot_be_set_to_closed_by_editing_it(client, staff, objective, cycle):
    data = {"name": cycle.name, "start": cycle.start, "end": cycle.end, "state": CycleState.CLOSED}
    response = client.post(_url("cycle", "change", cycle.pk), data)
    assert "Select a valid choice" in _form_errors(response)
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.ACTIVE
    data["state"] = CycleState.PLANNING
    assert client.post(_url("cycle", "change", cycle.pk), data).status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.PLANNING


def test_close_and_score_action_previews_then_closes_through_the_service(client, staff, objective, cycle):
    action = {"action": "close_and_score", "_selected_action": [cycle.pk]}
    preview = client.post(_url("cycle", "changelist"), action)
    assert preview.status_code == 200
    assert f'data-objective-score="{objective.pk}">1.00' in preview.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.ACTIVE
    response = client.post(_url("cycle", "changelist"), {**action, "confirm": "yes"})
    assert response.status_code == 302
    cycle.refresh_from_db()
    objective.refresh_from_db()
    assert (cycle.state, objective.state, objective.score) == (CycleState.CLOSED, ObjectiveState.CLOSED, 1)
    assert objective.key_results.get().score == 1
    page = client.get(_url("cycle", "change", cycle.pk)).content.decode()
    assert 'name="name"' not in page  # read-only once closed


def test_cycle_with_objectives_is_not_deleted(client, staff, objective, cycle):
    response = client.post(_url("cycle", "delete", cycle.pk), {"post": "yes"}, follow=True)
    assert "has objectives" in response.content.decode()
    action = {"action": "delete_selected", "_selected_action": [cycle.pk], "post": "yes"}
    response = client.post(_url("cycle", "changelist"), action, follow=True)
    assert "Nothing was deleted" in response.content.decode()
    assert Cycle.objects.filter(pk=cycle.pk).exists()
    empty = CycleFactory(organization=staff.organization)
    assert client.post(_url("cycle", "delete", empty.pk), {"post": "yes"}).status_code == 302
    assert not Cycle.objects.filter(pk=empty.pk).exists()


def test_priority_added_changed_and_deleted_in_the_admin(client, staff):
    data = {
        "organization": staff.organization.pk,
        "title": "Grow NRR",
        "description": "",
        "owner": "",
        "order": "2",
        "weight": "1.5",
        "active": "on",
    }
    assert client.post(_url("priority", "add"), data).status_code == 302
    priority = Priority.objects.get(title="Grow NRR")
    assert (priority.organization, priority.weight) == (staff.organization, Decimal("1.5"))
    response = client.post(_url("priority", "change", priority.pk), {**data, "weight": "-1"})
    assert "greater than or equal to 0" in _form_errors(response)
    response = client.post(_url("priority", "change", priority.pk), {**data, "weight": "2"})
    assert response.status_code == 302
    assert Priority.objects.get(pk=priority.pk).weight == 2
    assert client.post(_url("priority", "delete", priority.pk), {"post": "yes"}).status_code == 302
    assert not Priority.objects.exists()


def test_check_in_added_in_the_admin_moves_the_key_result(client, staff, objective):
    key_result = KeyResultFactory(objective=objective, owner=staff.user)
    data = {"key_result": key_result.pk, "value": "40", "confidence": "7", "note": "Good week"}
    response = client.post(_url("checkin", "add"), {**data, "checked_in_at_0": "", "checked_in_at_1": ""})
    assert response.status_code == 302
    key_result.refresh_from_db()
    assert (key_result.current_value, key_result.progress, key_result.confidence) == (40, Decimal("0.4"), 7)
    assert CheckIn.objects.get().author == staff.user


def test_check_in_on_a_draft_objective_is_refused_on_the_form(client, staff, cycle):
    key_result = KeyResultFactory(objective__cycle=cycle, objective__state=ObjectiveState.DRAFT)
    data = {"key_result": key_result.pk, "value": "40", "confidence": "7", "note": ""}
    response = client.post(_url("checkin", "add"), {**data, "checked_in_at_0": "", "checked_in_at_1": ""})
    assert "Check-ins are taken on active objectives" in _form_errors(response)
    assert not CheckIn.objects.exists()


def test_computed_rows_and_check_ins_are_not_deleted_in_the_admin(client, staff, objective):
    check_in = services.check_in_create(
        key_result=objective.key_results.get(), value=Decimal(50), confidence=5
    )
    assert client.post(_url("checkin", "delete", check_in.pk), {"post": "yes"}).status_code == 403
    snapshot = objective.snapshots.first()
    assert client.post(_url("objectivesnapshot", "delete", snapshot.pk), {"post": "yes"}).status_code == 403
