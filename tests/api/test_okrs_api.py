"""Every OKR endpoint: success, validation, authentication, roles and another organization's data."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from accounts.models import Team
from okrs.choices import CheckInSource, CycleState
from okrs.models import CheckIn, Cycle, KeyResult, Objective, Priority

pytestmark = pytest.mark.django_db


@dataclass
class Resource:
    url: str
    key: str  # the object of `tree_a` / `tree_b` the detail tests use
    model: type
    admin_only: bool
    create: object  # (tree, member) -> payload
    invalid: dict  # payload -> the field expected in the 400
    patch: dict | None  # None when the resource cannot be changed


RESOURCES = [
    Resource(
        url="/api/v1/teams/",
        key="team",
        model=Team,
        admin_only=True,
        create=lambda tree, member: {"name": "Marketing", "kind": "marketing", "parent": tree["team"].pk},
        invalid=({"name": "", "kind": "nope"}, "kind"),
        patch={"name": "Sales EMEA"},
    ),
    Resource(
        url="/api/v1/cycles/",
        key="cycle",
        model=Cycle,
        admin_only=True,
        create=lambda tree, member: {"name": "Q1 2027", "start": "2027-01-01", "end": "2027-03-31"},
        invalid=({"name": "Q1 2027", "start": "2027-03-01", "end": "not a date"}, "end"),
        patch={"name": "Fourth quarter"},
    ),
    Resource(
        url="/api/v1/priorities/",
        key="priority",
        model=Priority,
        admin_only=True,
        create=lambda tree, member: {"title": "Expand accounts", "weight": "2.00", "owner": member.user.pk},
        invalid=({"title": "Expand", "weight": "-1"}, "weight"),
        patch={"title": "Grow gross revenue", "active": False},
    ),
    Resource(
        url="/api/v1/objectives/",
        key="objective",
        model=Objective,
        admin_only=False,
        create=lambda tree, member: {
            "cycle": tree["cycle"].pk,
            "title": "Shorten the sales cycle",
            "so_what": "Cash arrives sooner.",
            "outcome_kind": "efficiency",
            "owner": member.user.pk,
            "priority": tree["priority"].pk,
            "parent": tree["objective"].pk,
        },
        invalid=({"cycle": 1, "title": "No outcome", "owner": 1, "outcome_kind": "luck"}, "outcome_kind"),
        patch={"title": "Win more deals", "state": "closed"},
    ),
    Resource(
        url="/api/v1/key-results/",
        key="key_result",
        model=KeyResult,
        admin_only=False,
        create=lambda tree, member: {
            "objective": tree["objective"].pk,
            "title": "Win rate to 30%",
            "owner": member.user.pk,
            "kind": "increase",
            "unit": "percent",
            "start_value": "22",
            "target_value": "30",
        },
        invalid=None,  # set below: it needs the tree
        patch={"title": "Win rate to 32%", "target_value": "32"},
    ),
    Resource(
        url="/api/v1/check-ins/",
        key="check_in",
        model=CheckIn,
        admin_only=False,
        create=lambda tree, member: {"key_result": tree["key_result"].pk, "value": "42.5", "confidence": 7},
        invalid=({"key_result": 1, "value": "1", "confidence": 11}, "confidence"),
        patch=None,
    ),
]
RESOURCES[4].invalid = (
    {"title": "Flat", "kind": "increase", "start_value": "5", "target_value": "x"},
    "target_value",
)
BY_URL = {r.url: r for r in RESOURCES}


def ids(resource):
    return resource.url.split("/")[3]


@pytest.fixture
def check_ins(tree_a, tree_b):
    from tests.okrs.factories import CheckInFactory

    tree_a["check_in"] = CheckInFactory(key_result=tree_a["key_result"])
    tree_b["check_in"] = CheckInFactory(key_result=tree_b["key_result"])


@pytest.fixture
def trees(tree_a, tree_b, check_ins):
    return tree_a, tree_b


def detail(resource, obj):
    return f"{resource.url}{obj.pk}/"


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_list_shows_only_own_organization(as_viewer, trees, resource):
    tree_a, tree_b = trees
    response = as_viewer.get(resource.url)
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert tree_a[resource.key].pk in listed
    assert tree_b[resource.key].pk not in listed


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_retrieve_own_object(as_viewer, trees, resource):
    obj = trees[0][resource.key]
    response = as_viewer.get(detail(resource, obj))
    assert response.status_code == 200
    assert response.json()["id"] == obj.pk


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_other_organization_object_is_404(as_admin, trees, resource):
    obj = trees[1][resource.key]
    assert as_admin.get(detail(resource, obj)).status_code == 404
    if resource.patch is not None:
        assert as_admin.patch(detail(resource, obj), resource.patch, format="json").status_code == 404
        assert as_admin.delete(detail(resource, obj)).status_code == 404
        assert resource.model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_unauthenticated_request_is_401(api_client, trees, resource):
    for response in (
        api_client.get(resource.url),
        api_client.post(resource.url, {}, format="json"),
        api_client.get(detail(resource, trees[0][resource.key])),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_viewer_cannot_write(as_viewer, trees, viewer_a, resource):
    tree_a = trees[0]
    count = resource.model.objects.count()
    response = as_viewer.post(resource.url, resource.create(tree_a, viewer_a), format="json")
    assert response.status_code == 403
    assert "Viewers can read" in response.json()["detail"] or "admins" in response.json()["detail"]
    if resource.patch is not None:
        assert (
            as_viewer.patch(detail(resource, tree_a[resource.key]), resource.patch, format="json").status_code
            == 403
        )
        assert as_viewer.delete(detail(resource, tree_a[resource.key])).status_code == 403
    assert resource.model.objects.count() == count


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.admin_only], ids=ids)
def test_editor_cannot_manage_admin_resources(as_editor, trees, editor_a, resource):
    tree_a = trees[0]
    response = as_editor.post(resource.url, resource.create(tree_a, editor_a), format="json")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Only organization admins can change this resource.",
    }
    assert as_editor.get(resource.url).status_code == 200


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_create(api_client, trees, admin_a, editor_a, resource):
    member = admin_a if resource.admin_only else editor_a
    api_client.force_authenticate(member.user)
    response = api_client.post(resource.url, resource.create(trees[0], member), format="json")
    assert response.status_code == 201, response.json()
    created = resource.model.objects.get(pk=response.json()["id"])
    for field, value in resource.create(trees[0], member).items():
        assert str(response.json()[field]) == str(value) or Decimal(response.json()[field]) == Decimal(value)
    assert created.pk == response.json()["id"]


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_create_validation_error_names_the_field(as_admin, trees, resource):
    payload, field = resource.invalid
    count = resource.model.objects.count()
    response = as_admin.post(resource.url, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]
    assert all(isinstance(message, str) for message in body["fields"][field])
    assert resource.model.objects.count() == count


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.patch], ids=ids)
def test_update(as_admin, trees, resource):
    obj = trees[0][resource.key]
    response = as_admin.patch(detail(resource, obj), resource.patch, format="json")
    assert response.status_code == 200, response.json()
    obj.refresh_from_db()
    for field, value in resource.patch.items():
        assert str(getattr(obj, field)) == str(value) or getattr(obj, field) == Decimal(value)


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.patch], ids=ids)
def test_delete(as_admin, admin_a, resource):
    from tests.accounts.factories import TeamFactory
    from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

    org = admin_a.organization
    obj = {
        "team": lambda: TeamFactory(organization=org),
        "cycle": lambda: CycleFactory(organization=org),
        "priority": lambda: PriorityFactory(organization=org),
        "objective": lambda: ObjectiveFactory(cycle__organization=org),
        "key_result": lambda: KeyResultFactory(objective__cycle__organization=org),
    }[resource.key]()
    response = as_admin.delete(detail(resource, obj))
    assert response.status_code == 204
    assert not resource.model.objects.filter(pk=obj.pk).exists()


def test_computed_fields_are_refused_by_name_and_nothing_changes(as_editor, tree_a):
    key_result = tree_a["key_result"]
    response = as_editor.patch(
        f"/api/v1/key-results/{key_result.pk}/",
        {"title": "Renamed", "progress": "1.0000", "status": "achieved", "current_value": "100"},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"progress", "status", "current_value"}
    assert fields["current_value"] == [
        "current_value is read-only: it changes only through check-ins (POST /api/v1/check-ins/)."
    ]
    assert fields["status"][0].startswith("status is read-only: computed by the progress rules")
    key_result.refresh_from_db()
    assert key_result.title != "Renamed" and key_result.current_value == Decimal(0)


def test_key_result_cannot_move_to_another_objective(as_editor, tree_a):
    response = as_editor.patch(
        f"/api/v1/key-results/{tree_a['key_result'].pk}/", {"objective": tree_a["child"].pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["objective"] == ["A key result cannot move to another objective."]


def test_check_in_through_the_api_updates_the_key_result(as_editor, editor_a, tree_a):
    key_result = tree_a["key_result"]
    response = as_editor.post(
        "/api/v1/check-ins/",
        {"key_result": key_result.pk, "value": "75", "confidence": 8, "note": "Two big deals closed."},
        format="json",
    )
    assert response.status_code == 201
    check_in = CheckIn.objects.get(pk=response.json()["id"])
    assert check_in.source == CheckInSource.API
    assert check_in.author == editor_a.user
    assert response.json()["source"] == "api"
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(75)
    assert key_result.progress == Decimal("0.75")


def test_check_in_on_closed_cycle_is_refused(as_editor, tree_a):
    Cycle.objects.filter(pk=tree_a["cycle"].pk).update(state=CycleState.CLOSED)
    response = as_editor.post(
        "/api/v1/check-ins/",
        {"key_result": tree_a["key_result"].pk, "value": "5", "confidence": 5},
        format="json",
    )
    assert response.status_code == 400
    cycle = tree_a["cycle"].name
    assert response.json()["fields"] == {
        "non_field_errors": [f"The cycle “{cycle}” is closed: its objectives and key results are read-only."]
    }
    assert not CheckIn.objects.exists()


def test_check_ins_cannot_be_changed_or_deleted(as_admin, trees):
    url = f"/api/v1/check-ins/{trees[0]['check_in'].pk}/"
    assert as_admin.patch(url, {"value": "1"}, format="json").status_code == 405
    assert as_admin.delete(url).status_code == 405


def test_cycle_close_action_scores_key_results(as_admin, tree_a):
    response = as_admin.post(f"/api/v1/cycles/{tree_a['cycle'].pk}/close/")
    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    tree_a["key_result"].refresh_from_db()
    assert tree_a["key_result"].score is not None
    again = as_admin.post(f"/api/v1/cycles/{tree_a['cycle'].pk}/close/")
    assert again.status_code == 400
    assert again.json()["fields"]["non_field_errors"] == ["This cycle is already closed."]


def test_cycle_cannot_be_closed_by_update(as_admin, tree_a):
    response = as_admin.patch(f"/api/v1/cycles/{tree_a['cycle'].pk}/", {"state": "closed"}, format="json")
    assert response.status_code == 400
    assert "state" in response.json()["fields"]


def test_cycle_with_objectives_cannot_be_deleted(as_admin, tree_a):
    response = as_admin.delete(f"/api/v1/cycles/{tree_a['cycle'].pk}/")
    assert response.status_code == 400
    assert Cycle.objects.filter(pk=tree_a["cycle"].pk).exists()


def test_objective_cascade_loop_is_refused(as_editor, tree_a):
    response = as_editor.patch(
        f"/api/v1/objectives/{tree_a['objective'].pk}/", {"parent": tree_a["child"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "loop" in response.json()["fields"]["parent"][0]


def test_duplicate_team_name_is_a_validation_error(as_admin, tree_a):
    response = as_admin.post("/api/v1/teams/", {"name": "Sales"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert Team.objects.filter(name="Sales").count() == 1


def test_key_result_follows_a_kpi_through_the_api_and_refuses_manual_check_ins(
    as_editor, tree_a, admin_a, org_b
):
    from tests.kpis.factories import KpiFactory

    key_result = tree_a["key_result"]
    ours, theirs = KpiFactory(organization=admin_a.organization), KpiFactory(organization=org_b)
    url = f"/api/v1/key-results/{key_result.pk}/"
    refused = as_editor.patch(url, {"kpi": theirs.pk}, format="json")
    assert refused.status_code == 400
    assert "kpi" in refused.json()["fields"]
    linked = as_editor.patch(url, {"kpi": ours.pk, "kpi_window": "cycle_to_date"}, format="json")
    assert linked.status_code == 200, linked.json()
    assert (linked.json()["kpi"], linked.json()["kpi_window"]) == (ours.pk, "cycle_to_date")
    check_in = as_editor.post(
        "/api/v1/check-ins/", {"key_result": key_result.pk, "value": "5", "confidence": 5}, format="json"
    )
    assert check_in.status_code == 400
    assert "follows a KPI" in str(check_in.json()["fields"])
