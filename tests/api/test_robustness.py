"""Bad input is a 400 with the one error shape, never a server error."""

import json

import pytest

from okrs.models import CheckIn, Objective

pytestmark = pytest.mark.django_db

WRITE_URLS = [
    "/api/v1/teams/",
    "/api/v1/cycles/",
    "/api/v1/priorities/",
    "/api/v1/objectives/",
    "/api/v1/key-results/",
    "/api/v1/check-ins/",
]


@pytest.mark.parametrize("url", WRITE_URLS)
def test_malformed_json_is_a_parse_error(as_admin, url):
    response = as_admin.generic("POST", url, '{"title": "unterminated', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize("url", WRITE_URLS)
def test_json_that_is_not_an_object_is_refused(as_admin, url):
    response = as_admin.generic("POST", url, "[1, 2, 3]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("url", WRITE_URLS)
def test_unknown_fields_are_named(as_admin, url):
    response = as_admin.post(url, {"colour": "blue"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["colour"] == ["Unknown field."]


def test_wrong_types_are_named(as_admin, tree_a):
    response = as_admin.post(
        "/api/v1/check-ins/",
        {"key_result": "first", "value": {"amount": 3}, "confidence": "high", "note": ["a"]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"key_result", "value", "confidence", "note"}
    assert not CheckIn.objects.exists()


def test_nul_bytes_are_refused(as_editor, editor_a, tree_a):
    payload = {
        "cycle": tree_a["cycle"].pk,
        "title": "Bad\x00title",
        "so_what": "x",
        "outcome_kind": "growth",
        "owner": editor_a.user.pk,
    }
    response = as_editor.post("/api/v1/objectives/", payload, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["fields"]
    assert not Objective.objects.filter(title__startswith="Bad").exists()


@pytest.mark.parametrize(
    "query",
    ["search=a%00b", "cycle=a%00", "updated_since=%00", "ordering=%00title", "status=%00"],
)
def test_nul_bytes_in_query_parameters_are_not_server_errors(as_viewer, tree_a, query):
    response = as_viewer.get(f"/api/v1/objectives/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"value": "1" * 40, "confidence": 5}, "value"),
        ({"value": 1e300, "confidence": 5}, "value"),
        ({"value": "NaN", "confidence": 5}, "value"),
        ({"value": "Infinity", "confidence": 5}, "value"),
        ({"value": "5", "confidence": 2**70}, "confidence"),
    ],
)
def test_huge_numbers_are_refused(as_editor, tree_a, payload, field):
    payload["key_result"] = tree_a["key_result"].pk
    response = as_editor.post("/api/v1/check-ins/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_nan_literal_in_json_is_a_parse_error(as_editor, tree_a):
    body = '{"key_result": KR, "value": NaN, "confidence": 5}'.replace("KR", str(tree_a["key_result"].pk))
    response = as_editor.generic("POST", "/api/v1/check-ins/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("pk", [2**63, 2**70, -1, True])
def test_huge_or_odd_ids_in_payloads_are_validation_errors(as_editor, tree_a, pk):
    response = as_editor.post(
        "/api/v1/check-ins/", {"key_result": pk, "value": "5", "confidence": 5}, format="json"
    )
    assert response.status_code == 400
    assert "key_result" in response.json()["fields"]


@pytest.mark.parametrize("path", ["99999999999999999999999", "9223372036854775808", "abc", "0"])
def test_huge_or_odd_ids_in_paths_are_404(as_viewer, path):
    response = as_viewer.get(f"/api/v1/objectives/{path}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query", ["cycle=99999999999999999999999", "owner=-3", "cycle=1.5", "page=99999999999"]
)
def test_huge_ids_in_filters_are_400(as_viewer, query):
    response = as_viewer.get(f"/api/v1/objectives/?{query}")
    assert response.status_code in (400, 404)
    assert response.json()["code"] in ("validation_error", "not_found")


@pytest.mark.parametrize(
    "since", ["0280-02-18T21:09:54.730777+14:00", "1001-10-31T17:13:19-12:00", "2026-01-01T00:00:00+05:45"]
)
def test_time_filters_with_any_real_offset_work(as_viewer, tree_a, since):
    for url in ("/api/v1/priorities/", "/api/v1/check-ins/"):
        response = as_viewer.get(url, {"updated_since": since})
        assert response.status_code == 200
    assert as_viewer.get("/api/v1/check-ins/", {"checked_in_since": since}).status_code == 200


def test_out_of_range_time_filter_is_400(as_viewer):
    response = as_viewer.get("/api/v1/objectives/", {"updated_since": "9999-12-31T23:59:59-12:00"})
    assert response.status_code == 400
    assert "updated_since" in response.json()["fields"]


def test_other_organization_ids_in_payloads_are_400(as_editor, editor_a, tree_a, tree_b):
    payload = {
        "cycle": tree_b["cycle"].pk,
        "title": "Sneaky",
        "so_what": "x",
        "outcome_kind": "growth",
        "owner": editor_a.user.pk,
        "priority": tree_b["priority"].pk,
        "team": tree_b["team"].pk,
        "parent": tree_b["objective"].pk,
    }
    response = as_editor.post("/api/v1/objectives/", payload, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"cycle", "priority", "team", "parent"}
    assert fields["cycle"] == [f"No object with id {tree_b['cycle'].pk} in your organization."]
    check_in = as_editor.post(
        "/api/v1/check-ins/",
        {"key_result": tree_b["key_result"].pk, "value": "1", "confidence": 1},
        format="json",
    )
    assert check_in.status_code == 400
    assert not CheckIn.objects.exists()


def test_owner_from_another_organization_is_refused(as_editor, tree_a, member_b):
    response = as_editor.patch(
        f"/api/v1/objectives/{tree_a['objective'].pk}/", {"owner": member_b.user.pk}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()["fields"]


def test_unsupported_media_type_is_415(as_admin):
    response = as_admin.generic("POST", "/api/v1/teams/", "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert json.loads(response.content)["code"] == "unsupported_media_type"
