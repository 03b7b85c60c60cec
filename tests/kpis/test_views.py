"""The CSV upload page and the admin's CSV import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.choices import MeasurementSource
from kpis.models import Measurement
from tests.kpis.factories import KpiFactory

pytestmark = pytest.mark.django_db
URL = "/kpis/measurements/import/"


def upload(text, name="m.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def kpi(org_a):
    return KpiFactory(organization=org_a, code="deals_won")


def test_page_imports_a_good_file(client, admin_a, kpi):
    client.force_login(admin_a.user)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL, {"file": upload("kpi,timestamp,value\ndeals_won,2026-01-02,3\n")}, follow=True
    )
    assert response.status_code == 200
    assert "1 measurements stored" in response.content.decode()
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.source) == (Decimal(3), MeasurementSource.CSV)


def test_page_lists_bad_lines_and_writes_nothing(client, admin_a, kpi):
    client.force_login(admin_a.user)
    text = "kpi,timestamp,value\ndeals_won,2026-01-02,3\ndeals_won,2026-01-02,abc\nother,2026-01-02,1\n"
    response = client.post(URL, {"file": upload(text)})
    assert response.status_code == 400
    errors = [(e.row, e.field) for e in response.context["row_errors"]]
    assert errors == [(3, "value"), (4, "kpi")]
    assert "“abc” is not a number" in response.content.decode()
    assert not Measurement.objects.exists()


def test_page_requires_a_file(client, admin_a):
    client.force_login(admin_a.user)
    response = client.post(URL, {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_viewers_cannot_import_and_anonymous_is_sent_to_login(client, viewer_a, kpi):
    assert client.get(URL).status_code == 302
    client.force_login(viewer_a.user)
    assert (
        client.post(URL, {"file": upload("kpi,timestamp,value\ndeals_won,2026-01-02,3\n")}).status_code == 403
    )
    assert not Measurement.objects.exists()


def test_a_member_of_another_organization_cannot_feed_this_one(client, member_b, kpi):
    client.force_login(member_b.user)
    response = client.post(URL, {"file": upload("kpi,timestamp,value\ndeals_won,2026-01-02,3\n")})
    assert response.status_code == 400
    assert "Unknown KPI code" in response.content.decode()


@pytest.fixture
def staff_admin(admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    return admin_a


def test_admin_import_uses_the_same_validation(client, staff_admin, kpi):
    client.force_login(staff_admin.user)
    url = "/admin/kpis/measurement/import/"
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"organization": kpi.organization_id, "file": upload("kpi,timestamp,value\ndeals_won,x,1\n")}
    )
    assert bad.status_code == 400
    assert [(e.row, e.field) for e in bad.context["row_errors"]] == [(2, "timestamp")]
    good = client.post(
        url,
        {
            "organization": kpi.organization_id,
            "file": upload("kpi,timestamp,value\ndeals_won,2026-01-02,1\n"),
        },
    )
    assert good.status_code == 302
    assert Measurement.objects.get().source == MeasurementSource.ADMIN


def test_admin_lists_runs_and_values(client, staff_admin, kpi):
    from kpis import services

    services.kpi_recompute(organization_id=kpi.organization_id)
    client.force_login(staff_admin.user)
    for url in (
        "/admin/kpis/kpirun/",
        "/admin/kpis/kpivalue/",
        "/admin/kpis/measurement/",
        "/admin/kpis/kpi/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/admin/kpis/kpi/{kpi.pk}/change/").status_code == 200


def test_admin_kpi_form_refuses_an_unknown_formula_code(client, staff_admin, kpi):
    client.force_login(staff_admin.user)
    data = {
        "organization": kpi.organization_id,
        "code": "rate",
        "name": "Rate",
        "family": "sales",
        "unit": "percent",
        "direction": "higher",
        "cadence": "daily",
        "aggregation": "last",
        "formula": "100 * ghost / deals_won",
        "active": "on",
    }
    response = client.post("/admin/kpis/kpi/add/", data)
    assert response.status_code == 200
    assert "Unknown KPI codes: ghost" in response.content.decode()
