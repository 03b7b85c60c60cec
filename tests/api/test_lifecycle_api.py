"""The lifecycle verbs of the API: a cycle's close preview and close, reopening an objective, adjusting a
score; the score fields of objectives and key results; and how the schema documents them."""

from decimal import Decimal

import pytest
import yaml

from okrs import services
from okrs.choices import CycleState, ObjectiveState
from okrs.models import Cycle, KeyResult, Objective, ObjectiveStateChange
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory
from tests.okrs.test_lifecycle_views import quarter_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter(admin_a, editor_a):
    return quarter_build(admin_a.organization, editor_a.user)


@pytest.fixture
def closed_quarter(quarter, admin_a):
    services.cycle_close(cycle=quarter.cycle, user=admin_a.user)
    return quarter


def _assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "detail"}
    if field is not None:
        assert body["code"] == "validation_error" and field in body["fields"], body
    return body


# Close preview ------------------------------------------------------------------------------------------


def test_close_preview_lists_every_score_closing_would_give(as_admin, quarter):
    response = as_admin.get(f"/api/v1/cycles/{quarter.cycle.pk}/close-preview/")
    assert response.status_code == 200
    body = response.json()
    assert body["cycle"]["id"] == quarter.cycle.pk and body["cycle"]["state"] == "active"
    objectives = {o["id"]: o for o in body["objectives"]}
    lagging = objectives[quarter.lagging.pk]
    assert (lagging["closes"], lagging["score"], lagging["score_colour"]) == (True, "0.32", "red")
    assert lagging["expected_score"] == "1.00"
    assert [(kr["score"], kr["score_colour"], kr["weight"]) for kr in lagging["key_results"]] == [
        ("0.13", "red", "3.00"),
        ("0.90", "green", "1.00"),
    ]
    assert objectives[quarter.stretch.pk]["expected_score"] == "0.70"
    draft = objectives[quarter.draft.pk]
    assert (draft["closes"], draft["score"], draft["score_colour"]) == (False, None, None)
    assert Cycle.objects.get(pk=quarter.cycle.pk).state == CycleState.ACTIVE


def test_members_read_the_preview_and_another_organization_gets_404(api_client, quarter, viewer_a, member_b):
    url = f"/api/v1/cycles/{quarter.cycle.pk}/close-preview/"
    api_client.force_authenticate(viewer_a.user)
    assert api_client.get(url).status_code == 200
    api_client.force_authenticate(member_b.user)
    _assert_error(api_client.get(url), 404)
    api_client.force_authenticate(None)
    _assert_error(api_client.get(url), 401)


@pytest.mark.parametrize("extra", [0, 10])
def test_close_preview_runs_constant_queries(as_admin, admin_a, editor_a, extra, django_assert_num_queries):
    quarter = quarter_build(admin_a.organization, editor_a.user)
    for _ in range(extra):
        KeyResultFactory(objective=ObjectiveFactory(cycle=quarter.cycle))
    with django_assert_num_queries(4):  # membership, cycle, objectives, key results
        response = as_admin.get(f"/api/v1/cycles/{quarter.cycle.pk}/close-preview/")
    assert len(response.json()["objectives"]) == 5 + extra


# Close ----------------------------------------------------------------------------------------------------


def test_admin_closes_a_cycle_and_its_objectives_are_scored(as_admin, admin_a, quarter):
    response = as_admin.post(f"/api/v1/cycles/{quarter.cycle.pk}/close/", format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    objective = as_admin.get(f"/api/v1/objectives/{quarter.lagging.pk}/").json()
    assert (objective["state"], objective["score"], objective["expected_score"]) == ("closed", "0.32", "1.00")
    assert objective["closed_at"] is not None
    change = ObjectiveStateChange.objects.get(objective=quarter.lagging)
    assert change.user == admin_a.user
    key_result = as_admin.get(f"/api/v1/key-results/{quarter.lagging_krs[0].pk}/").json()
    assert (key_result["score"], key_result["score_colour"], key_result["score_reason"]) == (
        "0.13",
        "red",
        "",
    )


def test_closing_a_closed_cycle_is_a_400_in_the_error_shape(as_admin, closed_quarter):
    body = _assert_error(
        as_admin.post(f"/api/v1/cycles/{closed_quarter.cycle.pk}/close/", format="json"),
        400,
        "non_field_errors",
    )
    assert body["fields"]["non_field_errors"] == ["This cycle is already closed."]


@pytest.mark.parametrize(("who", "status"), [("editor_a", 403), ("viewer_a", 403), ("member_b", 404)])
def test_only_admins_of_the_organization_close_a_cycle(api_client, quarter, who, status, request):
    api_client.force_authenticate(request.getfixturevalue(who).user)
    _assert_error(api_client.post(f"/api/v1/cycles/{quarter.cycle.pk}/close/", format="json"), status)
    assert Cycle.objects.get(pk=quarter.cycle.pk).state == CycleState.ACTIVE


# Reopen ---------------------------------------------------------------------------------------------------


@pytest.fixture
def closed_objective(quarter, editor_a):
    return services.objective_update(
        objective=quarter.lagging, user=editor_a.user, state=ObjectiveState.CLOSED
    )


def test_admin_reopens_a_closed_objective_with_a_reason(as_admin, admin_a, closed_objective):
    response = as_admin.post(
        f"/api/v1/objectives/{closed_objective.pk}/reopen/", {"reason": "Closed too early"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["score"], body["closed_at"]) == ("active", None, None)
    change = ObjectiveStateChange.objects.filter(objective=closed_objective).first()
    assert (change.from_state, change.to_state, change.reason, change.user) == (
        "closed",
        "active",
        "Closed too early",
        admin_a.user,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "reason"), ({"reason": "   "}, "reason"), ({"reason": "x", "why": "y"}, "why")],
)
def test_reopening_needs_a_reason(as_admin, closed_objective, payload, field):
    response = as_admin.post(f"/api/v1/objectives/{closed_objective.pk}/reopen/", payload, format="json")
    _assert_error(response, 400, field)
    assert Objective.objects.get(pk=closed_objective.pk).state == ObjectiveState.CLOSED


def test_only_a_closed_objective_is_reopened(as_admin, quarter):
    response = as_admin.post(
        f"/api/v1/objectives/{quarter.stretch.pk}/reopen/", {"reason": "x"}, format="json"
    )
    body = _assert_error(response, 400, "state")
    assert body["fields"]["state"] == ["Only a closed objective can be reopened."]


@pytest.mark.parametrize(("who", "status"), [("editor_a", 403), ("viewer_a", 403), ("member_b", 404)])
def test_editors_cannot_reopen(api_client, closed_objective, who, status, request):
    api_client.force_authenticate(request.getfixturevalue(who).user)
    response = api_client.post(
        f"/api/v1/objectives/{closed_objective.pk}/reopen/", {"reason": "Please"}, format="json"
    )
    _assert_error(response, status)
    assert Objective.objects.get(pk=closed_objective.pk).state == ObjectiveState.CLOSED


def test_an_edit_cannot_reopen_a_closed_objective(as_admin, closed_objective):
    response = as_admin.patch(
        f"/api/v1/objectives/{closed_objective.pk}/", {"state": "active"}, format="json"
    )
    body = _assert_error(response, 400, "state")
    assert "Reopen action" in body["fields"]["state"][0]


# Score adjustments ------------------------------------------------------------------------------------


def test_owner_adjusts_a_score_and_the_objective_follows(as_editor, closed_quarter):
    key_result = closed_quarter.lagging_krs[0]
    response = as_editor.post(
        f"/api/v1/key-results/{key_result.pk}/score/",
        {"score": 0.5, "reason": "The big deal signed a day late"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["score"], body["score_colour"], body["score_reason"]) == (
        "0.50",
        "yellow",
        "The big deal signed a day late",
    )
    assert as_editor.get(f"/api/v1/objectives/{closed_quarter.lagging.pk}/").json()["score"] == "0.60"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"score": "1.5", "reason": "x"}, "score"),
        ({"score": "0.555", "reason": "x"}, "score"),
        ({"score": "-0.1", "reason": "x"}, "score"),
        ({"score": "0.5"}, "reason"),
        ({"score": "0.5", "reason": ""}, "reason"),
        ({"reason": "x"}, "score"),
        ({"score": "0.5", "reason": "x", "score_reason": "y"}, "score_reason"),
    ],
)
def test_a_bad_score_is_a_400_naming_the_field(as_editor, closed_quarter, payload, field):
    key_result = closed_quarter.lagging_krs[0]
    _assert_error(
        as_editor.post(f"/api/v1/key-results/{key_result.pk}/score/", payload, format="json"), 400, field
    )
    assert KeyResult.objects.get(pk=key_result.pk).score == Decimal("0.13")


def test_an_open_key_result_cannot_be_scored(as_editor, quarter):
    key_result = quarter.lagging_krs[0]
    response = as_editor.post(
        f"/api/v1/key-results/{key_result.pk}/score/", {"score": "1", "reason": "x"}, format="json"
    )
    _assert_error(response, 400, "non_field_errors")
    assert KeyResult.objects.get(pk=key_result.pk).score is None


@pytest.mark.parametrize(("who", "status"), [("admin_a", 403), ("viewer_a", 403), ("member_b", 404)])
def test_only_the_owner_adjusts_a_score(api_client, closed_quarter, who, status, request):
    key_result = closed_quarter.lagging_krs[0]
    api_client.force_authenticate(request.getfixturevalue(who).user)
    response = api_client.post(
        f"/api/v1/key-results/{key_result.pk}/score/", {"score": "1", "reason": "Mine"}, format="json"
    )
    _assert_error(response, status)
    assert KeyResult.objects.get(pk=key_result.pk).score == Decimal("0.13")


def test_score_fields_are_read_only(as_admin, closed_quarter):
    response = as_admin.patch(
        f"/api/v1/objectives/{closed_quarter.landed.pk}/", {"expected_score": "0.5"}, format="json"
    )
    _assert_error(response, 400, "expected_score")
    response = as_admin.patch(
        f"/api/v1/key-results/{closed_quarter.lagging_krs[0].pk}/", {"score_colour": "green"}, format="json"
    )
    _assert_error(response, 400, "score_colour")


# Schema ---------------------------------------------------------------------------------------------------


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get("/api/v1/schema/").content)


def test_schema_documents_the_lifecycle_verbs(schema):
    paths, schemas = schema["paths"], schema["components"]["schemas"]
    preview = paths["/api/v1/cycles/{id}/close-preview/"]["get"]
    assert preview["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ClosePreview"
    }
    for path, request, response in [
        ("/api/v1/objectives/{id}/reopen/", "ReopenRequest", "Objective"),
        ("/api/v1/key-results/{id}/score/", "ScoreAdjustRequest", "KeyResult"),
    ]:
        operation = paths[path]["post"]
        assert list(operation["requestBody"]["content"]) == ["application/json"]
        assert operation["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{request}"
        }
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{response}"
        }
        assert schemas[request]["additionalProperties"] is False
    assert set(schemas["ReopenRequest"]["required"]) == {"reason"}
    assert set(schemas["ScoreAdjustRequest"]["required"]) == {"score", "reason"}
    for name, fields in [
        ("Objective", ["score", "closed_at", "expected_score"]),
        ("KeyResult", ["score_colour"]),
    ]:
        for field in fields:
            assert schemas[name]["properties"][field].get("readOnly") is True, (name, field)
            assert field not in schemas[f"{name}Request"]["properties"]
