"""Bad input is a clear 4xx in the one error shape: never a server error, and never silently ignored."""

import json
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import Organization
from kpis.models import Kpi, Measurement
from okrs.models import CheckIn, KeyResult, Objective
from tests.accounts.factories import OrganizationFactory
from tests.kpis.factories import KpiFactory

pytestmark = pytest.mark.django_db

MEASUREMENTS = "/api/v1/measurements/"
FAR_OFFSET = "2026-01-01T00:00:00+19:05"


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def assert_validation_error(response, *fields):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error" and body["detail"]
    assert set(body["fields"]) == set(fields), body


@pytest.fixture
def won(admin_a):
    return KpiFactory(organization=admin_a.organization, code="deals_won")


# Time filters


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (MEASUREMENTS, "since"),
        (MEASUREMENTS, "until"),
        ("/api/v1/objectives/", "updated_since"),
        ("/api/v1/key-results/", "updated_since"),
        ("/api/v1/check-ins/", "updated_since"),
        ("/api/v1/check-ins/", "checked_in_since"),
        ("/api/v1/teams/", "updated_since"),
        ("/api/v1/cycles/", "updated_since"),
        ("/api/v1/priorities/", "updated_since"),
    ],
)
@pytest.mark.parametrize("value", [FAR_OFFSET, "2026-01-01T00:00:00-13:30"])
def test_time_filter_with_an_offset_no_zone_uses_is_400_naming_it(as_viewer, url, parameter, value):
    response = as_viewer.get(url, {parameter: value})
    assert_validation_error(response, parameter)
    assert "out of range" in response.json()["fields"][parameter][0]


def test_measurements_since_reads_any_real_offset(as_viewer, won):
    Measurement.objects.create(
        organization=won.organization, kpi=won, timestamp="2026-01-01T12:00:00Z", value=1, source="api"
    )
    # 2026-01-02 01:00 at +14:00 is 2026-01-01 11:00 UTC: the measurement at noon UTC is after it.
    response = as_viewer.get(MEASUREMENTS, {"since": "2026-01-02T01:00:00+14:00"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert as_viewer.get(MEASUREMENTS, {"until": "2026-01-01T00:00:00-12:00"}).json()["count"] == 0


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "99999-01-01"])
def test_kpi_value_date_filters_refuse_impossible_days(as_viewer, value):
    for parameter in ("since", "until"):
        assert_validation_error(as_viewer.get("/api/v1/kpi-values/", {parameter: value}), parameter)


# Empty query parameters


def _list_parameters(client):
    """(url, parameter) for every query parameter of every list operation in the schema."""
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    return [
        (path, parameter["name"])
        for path, item in schema["paths"].items()
        if "{" not in path and "get" in item
        for parameter in item["get"].get("parameters", [])
        if parameter["in"] == "query"
    ]


# As an admin: invitations are listed to admins only.
def test_every_documented_query_parameter_given_empty_is_400_naming_it(as_admin, tree_a):
    parameters = _list_parameters(as_admin)
    assert ("/api/v1/objectives/", "updated_since") in parameters
    assert ("/api/v1/measurements/", "search") in parameters
    assert ("/api/v1/alignment/", "cycle") in parameters
    assert len(parameters) > 60
    for url, parameter in parameters:
        response = as_admin.get(f"{url}?{parameter}=")
        assert response.status_code == 400, (url, parameter, response.content)
        assert parameter in response.json()["fields"], (url, parameter)


def test_blank_updated_since_is_refused_rather_than_listing_everything(as_viewer, tree_a):
    response = as_viewer.get("/api/v1/objectives/?updated_since=%20&status=on_track")
    assert_validation_error(response, "updated_since")
    assert response.json()["fields"]["updated_since"] == [
        "This parameter is empty: give it a value, or leave it out."
    ]


@pytest.mark.parametrize("page_size", ["0", "501", "ten", "-1", "²"])
def test_page_size_out_of_range_is_400_not_silently_changed(as_viewer, page_size):
    response = as_viewer.get("/api/v1/objectives/", {"page_size": page_size})
    assert_validation_error(response, "page_size")


def test_page_size_within_range_is_used(as_viewer, tree_a):
    body = as_viewer.get("/api/v1/objectives/", {"page_size": "500"}).json()
    assert body["count"] == 2 and len(body["results"]) == 2


# Measurement bodies


@pytest.mark.parametrize("code", [{}, [], {"code": "deals_won"}, ["deals_won"]])
def test_kpi_code_that_is_an_object_or_a_list_is_400_with_the_row(as_editor, won, code):
    good = {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": 1}
    bad = {"kpi": code, "timestamp": "2026-01-01T10:00:00Z", "value": "x"}
    response = post_json(as_editor, MEASUREMENTS, [good, bad])
    assert_validation_error(response, "rows[1].kpi", "rows[1].value")
    assert {"index": 1, "field": "kpi", "message": "Must be text."} in response.json()["rows"]
    assert not Measurement.objects.exists()


def test_wrapper_object_refuses_other_fields(as_editor, won):
    row = {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": 1}
    response = post_json(as_editor, MEASUREMENTS, {"measurements": [row], "source": "crm"})
    assert_validation_error(response, "source")
    assert not Measurement.objects.exists()


CODE_LENGTH = Kpi._meta.get_field("code").max_length


def _longest_row(index: int) -> dict:
    return {
        "kpi": "k" * CODE_LENGTH,
        "timestamp": "2026-01-01T10:15:00.123456+01:00",
        "value": "-99999999999999.999999",
        "idempotency_key": f"{index:06d}".ljust(128, "k"),
        "note": "n" * 500,
    }


def test_a_full_batch_with_the_longest_fields_fits_the_size_limit(as_editor, admin_a):
    KpiFactory(organization=admin_a.organization, code="k" * CODE_LENGTH)
    body = json.dumps({"measurements": [_longest_row(index) for index in range(10_000)]})
    assert len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = as_editor.post(MEASUREMENTS, data=body, content_type="application/json")
    assert response.status_code == 201, response.content[:500]
    assert Measurement.objects.count() == 10_000


def test_a_body_over_the_limit_is_a_json_413_that_says_what_to_do(as_editor, won, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    rows = [{"kpi": "deals_won", "timestamp": "2026-01-01", "value": 1, "note": "n" * 500}] * 3000
    response = post_json(as_editor, MEASUREMENTS, rows)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "request_too_large"
    assert "larger than 1 MB" in body["detail"] and "smaller batches" in body["detail"]
    assert not Measurement.objects.exists()


def test_other_endpoints_answer_an_oversized_body_the_same_way(as_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(as_admin, "/api/v1/teams/", {"name": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


# Read-only fields in writes


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("/api/v1/objectives/", "progress", "1"),
        ("/api/v1/objectives/", "status", "achieved"),
        ("/api/v1/objectives/", "expected_progress", "0.5"),
        ("/api/v1/objectives/", "last_check_in_at", "2026-01-01T00:00:00Z"),
        ("/api/v1/objectives/", "key_results", [1]),
        ("/api/v1/objectives/", "id", 999),
        ("/api/v1/key-results/", "current_value", "9"),
        ("/api/v1/key-results/", "progress", "1"),
        ("/api/v1/key-results/", "status", "achieved"),
        ("/api/v1/key-results/", "attainment", "1"),
        ("/api/v1/key-results/", "score", "0.7"),
        ("/api/v1/key-results/", "updated_at", "2026-01-01T00:00:00Z"),
        ("/api/v1/teams/", "created_at", "2026-01-01T00:00:00Z"),
        ("/api/v1/cycles/", "id", 5),
        ("/api/v1/priorities/", "updated_at", "2026-01-01T00:00:00Z"),
        ("/api/v1/kpis/", "created_at", "2026-01-01T00:00:00Z"),
    ],
)
def test_read_only_field_in_a_patch_is_400_naming_it_and_nothing_changes(
    as_admin, tree_a, won, url, field, value
):
    targets = {
        "/api/v1/objectives/": tree_a["objective"],
        "/api/v1/key-results/": tree_a["key_result"],
        "/api/v1/teams/": tree_a["team"],
        "/api/v1/cycles/": tree_a["cycle"],
        "/api/v1/priorities/": tree_a["priority"],
        "/api/v1/kpis/": won,
    }
    target = targets[url]
    before = type(target).objects.filter(pk=target.pk).values().get()
    response = as_admin.patch(f"{url}{target.pk}/", {field: value}, format="json")
    assert_validation_error(response, field)
    assert response.json()["fields"][field][0].startswith(f"{field} is read-only")
    assert type(target).objects.filter(pk=target.pk).values().get() == before


def test_current_value_in_a_patch_says_it_changes_through_check_ins(as_editor, tree_a):
    key_result = tree_a["key_result"]
    response = as_editor.patch(f"/api/v1/key-results/{key_result.pk}/", {"current_value": "9"}, format="json")
    assert_validation_error(response, "current_value")
    assert response.json()["fields"]["current_value"] == [
        "current_value is read-only: it changes only through check-ins (POST /api/v1/check-ins/)."
    ]
    assert KeyResult.objects.get(pk=key_result.pk).current_value == Decimal(0)


def test_read_only_fields_in_a_create_are_refused(as_editor, editor_a, tree_a):
    payload = {
        "cycle": tree_a["cycle"].pk,
        "title": "Win the mid-market",
        "so_what": "Mid-market deals close twice as fast.",
        "outcome_kind": "growth",
        "owner": editor_a.user.pk,
        "progress": "0.9",
        "status": "on_track",
    }
    response = post_json(as_editor, "/api/v1/objectives/", payload)
    assert_validation_error(response, "progress", "status")
    assert not Objective.objects.filter(title="Win the mid-market").exists()


def test_check_in_refuses_its_recorded_fields(as_editor, tree_a, admin_a):
    payload = {
        "key_result": tree_a["key_result"].pk,
        "value": "10",
        "confidence": 5,
        "source": "web",
        "author": admin_a.user.pk,
        "previous_value": "3",
    }
    response = post_json(as_editor, "/api/v1/check-ins/", payload)
    assert_validation_error(response, "source", "author", "previous_value")
    assert not CheckIn.objects.exists()


# Organization time zones


@pytest.mark.parametrize("zone", ["Europe/Madird", "Mars/Olympus", "utc+2", "", "../../etc/passwd"])
def test_organization_time_zone_must_be_an_iana_zone(zone):
    organization = OrganizationFactory.build(time_zone=zone)
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert "time_zone" in error.value.message_dict


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/Madrid", "Pacific/Kiritimati", "America/Argentina/Buenos_Aires"]
)
def test_organization_time_zone_accepts_iana_zones(zone):
    OrganizationFactory.build(time_zone=zone).full_clean()


def test_migration_turns_unknown_zones_into_utc(org_a, org_b, capsys):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0003_organization_time_zone_valid")
    Organization.objects.filter(pk=org_a.pk).update(time_zone="Europe/Madird")
    Organization.objects.filter(pk=org_b.pk).update(time_zone="Asia/Tokyo")
    migration.unknown_zones_to_utc(apps, None)
    assert Organization.objects.get(pk=org_a.pk).time_zone == "UTC"
    assert Organization.objects.get(pk=org_b.pk).time_zone == "Asia/Tokyo"
    assert "'Europe/Madird' is now UTC" in capsys.readouterr().out


@pytest.mark.parametrize("ordering", ["colour", "-progress,colour", "progress,"])
def test_an_unknown_ordering_field_is_a_400_listing_the_fields(as_admin, ordering):
    response = as_admin.get("/api/v1/objectives/", {"ordering": ordering})
    assert response.status_code == 400
    assert "progress" in response.json()["fields"]["ordering"][0]


def test_known_ordering_fields_still_sort(as_admin):
    assert as_admin.get("/api/v1/objectives/", {"ordering": "-progress,title"}).status_code == 200
