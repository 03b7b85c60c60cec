"""/api/v1/activity/: the organization's history, read-only, filtered, in the one error shape."""

from datetime import UTC, datetime

import pytest
import time_machine

from accounts import services as account_services
from accounts.choices import Role
from common.people import person_name
from okrs import services
from tests.accounts.factories import MembershipFactory
from tests.api.conftest import bearer
from tests.okrs.factories import CycleFactory
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db

URL = "/api/v1/activity/"


def _objective(member, title="Grow EMEA", cycle=None):
    cycle = cycle or CycleFactory(organization=member.organization, name=f"Cycle of {title}")
    return services.objective_create(
        user=member.user,
        cycle=cycle,
        title=title,
        so_what="Revenue.",
        outcome_kind="growth",
        owner=member.user,
    )


def test_an_entry_in_full(as_viewer, admin_a):
    with time_machine.travel(datetime(2026, 11, 2, 9, 30, tzinfo=UTC), tick=False):
        objective = _objective(admin_a)
    services.objective_update(objective=objective, user=admin_a.user, title="Grow DACH", state="in_review")
    response = as_viewer.get(URL, {"object_type": "objective", "object_id": objective.pk})
    assert response.status_code == 200
    updated, created = response.json()["results"]
    assert created == {
        "id": created["id"],
        "time": "2026-11-02T09:30:00Z",
        "actor": None,
        "source": "command",
        "action": "create",
        "object_type": "objective",
        "object_id": objective.pk,
        "object_repr": "Grow EMEA",
        "changes": {
            "cycle": [None, "Cycle of Grow EMEA"],
            "title": [None, "Grow EMEA"],
            "type": [None, "Committed"],
            "so_what": [None, "Revenue."],
            "outcome_kind": [None, "Growth"],
            "owner": [None, person_name(admin_a.user)],
            "state": [None, "Draft"],
        },
    }
    assert updated["action"] == "update" and updated["object_repr"] == "Grow DACH"
    assert updated["changes"] == {"title": ["Grow EMEA", "Grow DACH"], "state": ["Draft", "In review"]}


def test_the_actor_of_an_api_change_and_the_actor_filter(api_client, admin_a, editor_a):
    objective = _objective(admin_a)
    headers = bearer(editor_a.user)
    api_client.patch(f"/api/v1/objectives/{objective.pk}/", {"title": "Grow DACH"}, format="json", **headers)
    response = api_client.get(URL, {"actor": editor_a.user.pk}, **headers)
    [entry] = response.json()["results"]
    assert entry["actor"] == {"id": editor_a.user.pk, "name": person_name(editor_a.user)}
    assert entry["source"] == "api" and entry["changes"] == {"title": ["Grow EMEA", "Grow DACH"]}


def test_a_deleted_objective_and_its_key_results_stay_listed(as_viewer, admin_a):
    objective = _objective(admin_a)
    key_result = services.key_result_create(
        objective=objective,
        user=admin_a.user,
        title="Pipeline",
        owner=admin_a.user,
        kind="increase",
        unit="number",
        start_value=0,
        target_value=10,
    )
    objective_id = objective.pk
    services.objective_delete(objective=objective, user=admin_a.user)
    response = as_viewer.get(URL, {"object_type": "objective", "object_id": objective_id, "action": "delete"})
    [deleted] = response.json()["results"]
    assert deleted["object_repr"] == "Grow EMEA" and deleted["changes"]["title"] == ["Grow EMEA", None]
    rows = as_viewer.get(URL, {"objective": objective_id}).json()["results"]
    # Newest first: the objective's deletion removed its key result just before it.
    assert [(r["object_type"], r["action"]) for r in rows] == [
        ("objective", "delete"),
        ("key_result", "delete"),
        ("key_result", "create"),
        ("objective", "create"),
    ]
    assert rows[1]["object_id"] == key_result.pk


def test_filters_by_type_action_source_and_time(as_viewer, admin_a):
    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False):
        team = account_services.team_create(organization=admin_a.organization, name="Sales")
    with time_machine.travel(datetime(2026, 10, 5, tzinfo=UTC), tick=False):
        account_services.team_update(team=team, name="Inside sales")
    rows = as_viewer.get(URL, {"object_type": "team"}).json()["results"]
    assert [(r["action"], r["object_repr"]) for r in rows] == [
        ("update", "Inside sales"),
        ("create", "Sales"),
    ]
    assert as_viewer.get(URL, {"object_type": "team", "action": "create"}).json()["count"] == 1
    window = {"object_type": "team", "since": "2026-10-02T00:00:00Z", "until": "2026-10-06T00:00:00+02:00"}
    assert [r["action"] for r in as_viewer.get(URL, window).json()["results"]] == ["update"]
    assert as_viewer.get(URL, {"object_type": "team", "source": "page"}).json()["count"] == 0
    assert as_viewer.get(URL, {"object_type": "team", "source": "command"}).json()["count"] == 2


def test_another_organizations_history_is_never_listed(api_client, admin_a, member_b):
    mine = _objective(admin_a, title="Ours")
    theirs = _objective(member_b, title="Theirs")
    api_client.force_authenticate(admin_a.user)
    listed = api_client.get(URL, {"page_size": 500}).json()["results"]
    assert "Theirs" not in {row["object_repr"] for row in listed}
    assert "Ours" in {row["object_repr"] for row in listed}
    # Another organization's object id matches nothing, exactly like an id that never existed.
    response = api_client.get(URL, {"object_type": "objective", "object_id": theirs.pk})
    assert response.status_code == 200 and response.json()["count"] == 0
    assert api_client.get(URL, {"objective": theirs.pk}).json()["count"] == 0
    api_client.force_authenticate(member_b.user)
    assert api_client.get(URL, {"objective": mine.pk}).json()["count"] == 0


def test_webhook_endpoints_history_is_for_admins_only(api_client, admin_a, viewer_a):
    webhook_services.webhook_endpoint_create(
        organization=admin_a.organization,
        url="https://hooks.example.com/rumbo",
        secret="a-secret-of-enough-length",
        events=["check_in.created"],
    )
    api_client.force_authenticate(admin_a.user)
    [row] = api_client.get(URL, {"object_type": "webhook_endpoint"}).json()["results"]
    assert row["changes"]["secret"] == [None, "********"]
    assert row["changes"]["events"] == [None, ["check_in.created"]]
    api_client.force_authenticate(viewer_a.user)
    assert api_client.get(URL, {"object_type": "webhook_endpoint"}).json()["count"] == 0
    assert "webhook_endpoint" not in {r["object_type"] for r in api_client.get(URL).json()["results"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"object_type": "invoice"}, "object_type"),
        ({"object_id": "5"}, "object_id"),
        ({"object_type": "objective", "object_id": "abc"}, "object_id"),
        ({"object_type": "objective", "object_id": "0"}, "object_id"),
        ({"actor": "99999999999999999999"}, "actor"),
        ({"action": "access"}, "action"),
        ({"source": "email"}, "source"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-01-01T00:00:00+19:00"}, "until"),
        ({"object_type": ""}, "object_type"),
        ({"since": ""}, "since"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(as_viewer, query, field):
    response = as_viewer.get(URL, query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error" and list(body["fields"]) == [field]


def test_authentication_and_membership_are_required(api_client, db):
    assert api_client.get(URL).status_code == 401
    api_client.force_authenticate(MembershipFactory(role=Role.VIEWER).user)
    assert api_client.get(URL).status_code == 200
    outsider = MembershipFactory().user
    outsider.memberships.all().delete()
    api_client.force_authenticate(outsider)
    assert api_client.get(URL).status_code == 403


def test_the_history_is_read_only(as_admin, admin_a):
    assert as_admin.post(URL, {}, format="json").status_code == 405
    entry_id = as_admin.get(URL).json()["results"][0]["id"]
    assert as_admin.delete(f"{URL}{entry_id}/").status_code == 404
    assert as_admin.get(f"{URL}{entry_id}/").status_code == 404


@pytest.mark.parametrize("objectives", [1, 12])
def test_the_list_runs_constant_queries(api_client, admin_a, objectives, django_assert_num_queries):
    cycle = CycleFactory(organization=admin_a.organization)
    for number in range(objectives):
        objective = _objective(admin_a, title=f"Objective {number}", cycle=cycle)
        services.objective_update(objective=objective, user=admin_a.user, title=f"Renamed {number}")
    api_client.force_authenticate(admin_a.user)
    # Membership, count, entries with actor and type; the names of the cycles and owners they mention.
    with django_assert_num_queries(5):
        response = api_client.get(URL, {"object_type": "objective"})
    assert response.json()["count"] == 2 * objectives
