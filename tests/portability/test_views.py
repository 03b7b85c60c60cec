import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kpis.choices import KpiStatus
from kpis.models import KpiValue
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CheckInFactory, KeyResultFactory

pytestmark = pytest.mark.django_db

# Session, user and membership, then the scorecard's KPIs, values and figures time; the check-ins in one.
QUERIES = {"kpis": 7, "check-ins": 4}


def _table(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def _kpi(organization, name, *, value=Decimal("42")):
    kpi = KpiFactory(organization=organization, name=name, target=Decimal("50"))
    KpiValue.objects.create(kpi=kpi, period_start=date(2026, 10, 1), value=value, status=KpiStatus.AMBER)
    return kpi


def _check_in(organization, note, *, objective=None):
    key_result = KeyResultFactory(
        **({"objective": objective} if objective else {"objective__cycle__organization": organization})
    )
    return CheckInFactory(
        key_result=key_result, note=note, value=Decimal("7"), checked_in_at=datetime(2026, 11, 2, tzinfo=UTC)
    )


def test_kpi_scorecard_csv_lists_the_organizations_kpis_with_formulas_neutralised(client, viewer_a, member_b):
    _kpi(viewer_a.organization, "=cmd|' /C calc'!A0", value=Decimal("-3"))
    _kpi(member_b.organization, "KPI of B")
    client.force_login(viewer_a.user)

    response = client.get("/exports/kpis.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="org-a-kpis-')
    header, *rows = _table(response)
    assert header[:3] == ["Family", "Code", "KPI"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["KPI"] == "'=cmd|' /C calc'!A0"
    assert row["Latest"] == "-3" and row["Target"] == "50" and row["Status"] == "Amber"


def test_check_ins_csv_of_one_objective(client, viewer_a):
    check_in = _check_in(viewer_a.organization, "@SUM(1+1)*cmd")
    _check_in(viewer_a.organization, "Another objective's check-in")
    client.force_login(viewer_a.user)

    response = client.get(f"/exports/check-ins.csv?objective={check_in.key_result.objective_id}")

    assert response.status_code == 200
    header, *rows = _table(response)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Note"] == "'@SUM(1+1)*cmd"
    assert row["Key result"] == check_in.key_result.title and row["Value"] == "7"
    assert row["Checked in at"].startswith("2026-11-02")


def test_check_ins_csv_of_the_organization_leaves_other_organizations_out(client, viewer_a, member_b):
    _check_in(viewer_a.organization, "Ours")
    _check_in(member_b.organization, "Theirs")
    client.force_login(viewer_a.user)

    rows = _table(client.get("/exports/check-ins.csv"))

    assert [row[-1] for row in rows[1:]] == ["Ours"]


def test_check_ins_csv_of_another_organizations_objective_is_404(client, viewer_a, member_b):
    check_in = _check_in(member_b.organization, "Theirs")
    client.force_login(viewer_a.user)

    assert (
        client.get(f"/exports/check-ins.csv?objective={check_in.key_result.objective_id}").status_code == 404
    )
    assert client.get("/exports/check-ins.csv?objective=abc").status_code == 404


@pytest.mark.parametrize("url", ["/exports/kpis.csv", "/exports/check-ins.csv"])
def test_exports_need_a_signed_in_member(client, url):
    response = client.get(url)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("size", [1, 8])
def test_kpi_scorecard_csv_runs_a_fixed_number_of_queries(client, viewer_a, size, django_assert_num_queries):
    for n in range(size):
        _kpi(viewer_a.organization, f"KPI {n}")
    client.force_login(viewer_a.user)

    with django_assert_num_queries(QUERIES["kpis"]):
        _table(client.get("/exports/kpis.csv"))


@pytest.mark.parametrize("size", [1, 8])
def test_check_ins_csv_runs_a_fixed_number_of_queries(client, viewer_a, size, django_assert_num_queries):
    for n in range(size):
        _check_in(viewer_a.organization, f"Note {n}")
    client.force_login(viewer_a.user)

    with django_assert_num_queries(QUERIES["check-ins"]):
        _table(client.get("/exports/check-ins.csv"))
