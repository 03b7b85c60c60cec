import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accounts import services as account_services
from kpis.choices import Cadence
from kpis.models import Kpi, KpiValue, Measurement
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import PriorityFactory

pytestmark = pytest.mark.django_db
KPIS = "/api/v1/kpis/"
VALUES = "/api/v1/kpi-values/"
MEASUREMENTS = "/api/v1/measurements/"


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def as_admin(api_client, admin_a):
    api_client.force_authenticate(admin_a.user)
    return api_client


@pytest.fixture
def as_viewer(api_client, viewer_a):
    api_client.force_authenticate(viewer_a.user)
    return api_client


NEW_KPI = {
    "code": "pipeline",
    "name": "Pipeline value",
    "family": "sales",
    "unit": "currency",
    "direction": "higher",
    "cadence": "weekly",
    "aggregation": "last",
    "target": "1000000",
}


def test_create_and_read_a_kpi(as_admin, admin_a):
    priority = PriorityFactory(organization=admin_a.organization)
    response = post(as_admin, KPIS, {**NEW_KPI, "priorities": [priority.pk], "owner": admin_a.user.pk})
    assert response.status_code == 201, response.json()
    kpi = Kpi.objects.get(code="pipeline", organization=admin_a.organization)
    assert response.json()["priorities"] == [priority.pk]
    detail = as_admin.get(f"{KPIS}{kpi.pk}/").json()
    assert detail["code"] == "pipeline" and detail["target"] == "1000000.000000"


def test_update_a_kpi_archives_it_and_requests_a_recomputation(as_admin, deals):
    Kpi.objects.filter(pk=deals["won"].pk).update(recompute_requested_at=None)
    response = as_admin.patch(f"{KPIS}{deals['won'].pk}/", data={"active": False}, format="json")
    assert response.status_code == 200
    deals["won"].refresh_from_db()
    assert deals["won"].active is False and deals["won"].recompute_requested_at is not None


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"formula": "100 * nothing / deals_closed"}, "formula", "Unknown KPI codes: nothing"),
        ({"formula": "100 * (deals_won"}, "formula", "never closed"),
        ({"code": "deals_won"}, "code", ""),
        ({"code": "Bad Code"}, "code", "lower-case"),
        ({"cadence": "hourly"}, "cadence", ""),
        ({"warning_threshold": "10", "critical_threshold": "20"}, "critical_threshold", "below"),
        ({"target": "NaN"}, "target", ""),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_kpi_validation_errors_name_the_field(as_admin, deals, body, field, reason):
    response = post(as_admin, KPIS, {**NEW_KPI, "cadence": "monthly", **body})
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "validation_error"
    assert field in payload["fields"] and reason in " ".join(payload["fields"][field])


def test_formula_cycle_is_refused(as_admin, deals):
    response = as_admin.patch(f"{KPIS}{deals['won'].pk}/", data={"formula": "win_rate * 2"}, format="json")
    assert response.status_code == 400
    assert "cycle" in response.json()["fields"]["formula"][0]


def test_anonymous_is_401_and_viewer_cannot_write(api_client, as_viewer, deals):
    anonymous = type(api_client)()
    assert anonymous.get(KPIS).status_code == 401
    assert post(anonymous, MEASUREMENTS, []).status_code == 401
    assert as_viewer.get(KPIS).status_code == 200
    assert post(as_viewer, KPIS, NEW_KPI).status_code == 403
    rows = [{"kpi": "deals_won", "timestamp": "2026-01-01T00:00:00Z", "value": 1}]
    assert post(as_viewer, MEASUREMENTS, rows).status_code == 403
    assert not Measurement.objects.exists()


def test_another_organizations_kpis_are_not_found(as_admin, org_b):
    foreign = KpiFactory(organization=org_b, code="foreign")
    assert as_admin.get(f"{KPIS}{foreign.pk}/").status_code == 404
    assert as_admin.patch(f"{KPIS}{foreign.pk}/", data={"name": "x"}, format="json").status_code == 404
    assert as_admin.get(KPIS).json()["count"] == 0
    KpiValue.objects.create(kpi=foreign, period_start=date(2026, 1, 1), value=1)
    assert as_admin.get(VALUES).json()["count"] == 0


def test_bearer_token_reaches_the_endpoints(api_client, admin_a, deals):
    _token, raw = account_services.api_token_create(user=admin_a.user, name="crm")
    rows = [{"kpi": "deals_won", "timestamp": "2026-01-01T00:00:00Z", "value": 1}]
    response = api_client.post(
        MEASUREMENTS,
        data=json.dumps(rows),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201


def test_bulk_ingestion_answers_the_same_to_a_replay(as_admin, deals):
    rows = [
        {
            "kpi": "deals_won",
            "timestamp": f"2026-01-{day:02d}T10:00:00Z",
            "value": day,
            "idempotency_key": f"w{day}",
        }
        for day in range(1, 21)
    ]
    first = post(as_admin, MEASUREMENTS, {"measurements": rows})
    again = post(as_admin, MEASUREMENTS, {"measurements": rows})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"received": 20}
    assert Measurement.objects.count() == 20


def test_same_key_with_other_content_is_409_and_changes_nothing(as_admin, deals):
    row = {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": 1, "idempotency_key": "k1"}
    post(as_admin, MEASUREMENTS, [row])
    response = post(as_admin, MEASUREMENTS, [{**row, "idempotency_key": "k2"}, {**row, "value": 2}])
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "idempotency_conflict"
    assert body["rows"] == [{"index": 1, "field": "idempotency_key", "message": body["rows"][0]["message"]}]
    assert list(Measurement.objects.values_list("idempotency_key", flat=True)) == ["k1"]


def test_bad_rows_are_400_with_index_and_field_of_each(as_admin, deals):
    good = {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": 1}
    body = (
        '{"measurements": ['
        + json.dumps(good)
        + ', {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": NaN},'
        + ' {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": -Infinity},'
        + ' {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": 1e300},'
        + ' {"kpi": "ghost", "timestamp": "2026-01-01", "value": "", "note": "a\\u0000b"}]}'
    )
    response = as_admin.post(MEASUREMENTS, data=body, content_type="application/json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "validation_error"
    assert sorted(payload["fields"]) == [
        "rows[1].value",
        "rows[2].value",
        "rows[3].value",
        "rows[4].kpi",
        "rows[4].note",
        "rows[4].value",
    ]
    assert {"index": 3, "field": "value", "message": payload["fields"]["rows[3].value"][0]} in payload["rows"]
    assert not Measurement.objects.exists()


def test_one_object_and_the_row_limit(as_admin, deals):
    one = {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00", "value": "2.5"}
    assert post(as_admin, MEASUREMENTS, one).status_code == 201
    too_many = post(as_admin, MEASUREMENTS, [one] * 10_001)
    assert too_many.status_code == 400
    assert "10000" in too_many.json()["fields"]["rows"][0]
    assert post(as_admin, MEASUREMENTS, "text").status_code == 400
    assert Measurement.objects.count() == 1


def test_values_are_exact_decimals(as_admin, deals):
    body = '[{"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": 0.1}]'
    assert as_admin.post(MEASUREMENTS, data=body, content_type="application/json").status_code == 201
    assert Measurement.objects.get().value == Decimal("0.1")


def test_values_per_period_filtered_by_kpi_and_dates(as_admin, deals):
    for month in (1, 2, 3):
        KpiValue.objects.create(kpi=deals["won"], period_start=date(2026, month, 1), value=month)
    KpiValue.objects.create(kpi=deals["closed"], period_start=date(2026, 1, 1), value=9)
    response = as_admin.get(VALUES, {"kpi": "deals_won", "since": "2026-02-01"})
    assert response.status_code == 200
    assert [(r["kpi"], r["period_start"], r["value"]) for r in response.json()["results"]] == [
        ("deals_won", "2026-02-01", "2.000000"),
        ("deals_won", "2026-03-01", "3.000000"),
    ]


@pytest.mark.parametrize("count", [1, 12])
def test_kpi_list_runs_constant_queries(as_admin, admin_a, count, django_assert_num_queries):
    priority = PriorityFactory(organization=admin_a.organization)
    for index in range(count):
        KpiFactory(organization=admin_a.organization, code=f"k{index}").priorities.add(priority)
    with django_assert_num_queries(5):  # membership, count, KPIs, priorities, objectives
        response = as_admin.get(KPIS)
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 12])
def test_value_and_measurement_lists_run_constant_queries(
    as_admin, admin_a, count, django_assert_num_queries
):
    kpi = KpiFactory(organization=admin_a.organization, code="k", cadence=Cadence.DAILY)
    for day in range(1, count + 1):
        KpiValue.objects.create(kpi=kpi, period_start=date(2026, 1, day), value=day)
        Measurement.objects.create(
            organization=admin_a.organization,
            kpi=kpi,
            timestamp=datetime(2026, 1, day, tzinfo=UTC),
            value=day,
            source="api",
        )
    with django_assert_num_queries(3):  # membership, count, rows with their KPI
        assert as_admin.get(VALUES).json()["count"] == count
    with django_assert_num_queries(3):
        assert as_admin.get(MEASUREMENTS).json()["count"] == count


@pytest.mark.parametrize("rows", [10, 120])
def test_ingestion_runs_constant_queries(as_admin, deals, rows, django_assert_num_queries):
    body = [
        {"kpi": "deals_won", "timestamp": "2026-01-01T10:00:00Z", "value": i, "idempotency_key": f"k{i}"}
        for i in range(rows)
    ]
    # Membership, savepoint, KPI codes, the insert, release. On PostgreSQL also the advisory lock and
    # the session's incoming table (create if missing, truncate; the COPY into it runs on the driver's
    # cursor, which Django's log does not see); elsewhere one look-up of the keys.
    from django.db import connection

    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 6):
        assert post(as_admin, MEASUREMENTS, body).status_code == 201
    assert Measurement.objects.count() == rows


def test_search_finds_values_and_measurements_by_kpi_code_or_name(as_admin, deals):
    deals["closed"].name = "Deals closed in the quarter"
    deals["closed"].save()
    for kpi in (deals["won"], deals["closed"]):
        KpiValue.objects.create(kpi=kpi, period_start=date(2026, 1, 1), value=1)
    rows = [
        {"kpi": "deals_won", "timestamp": "2026-01-02", "value": 1, "note": "from the CRM"},
        {"kpi": "deals_closed", "timestamp": "2026-01-02", "value": 2, "idempotency_key": "sheet-7"},
    ]
    assert post(as_admin, MEASUREMENTS, rows).status_code == 201
    values = as_admin.get(VALUES, {"search": "quarter"}).json()["results"]
    assert [row["kpi"] for row in values] == ["deals_closed"]
    assert [row["kpi"] for row in as_admin.get(MEASUREMENTS, {"search": "deals_won"}).json()["results"]] == [
        "deals_won"
    ]
    assert [row["kpi"] for row in as_admin.get(MEASUREMENTS, {"search": "crm"}).json()["results"]] == [
        "deals_won"
    ]
    assert [row["kpi"] for row in as_admin.get(MEASUREMENTS, {"search": "sheet-7"}).json()["results"]] == [
        "deals_closed"
    ]
