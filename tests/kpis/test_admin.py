"""The KPI admin writes through kpis.services, as the KPI pages and the API do."""

import pytest
from django.urls import reverse

from kpis.models import Kpi
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import PriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    return admin_a


def _data(organization, **overrides) -> dict:
    return {
        "organization": organization.pk,
        "code": "win_rate",
        "name": "Win rate",
        "family": "sales",
        "description": "",
        "active": "on",
        "unit": "percent",
        "direction": "higher",
        "cadence": "monthly",
        "aggregation": "average",
        "formula": "",
        "target": "25",
        "warning_threshold": "20",
        "critical_threshold": "15",
        "baseline": "",
        "benchmark": "",
        "owner": "",
        "team": "",
        **overrides,
    }


def test_kpi_added_in_the_admin_goes_through_the_service(client, staff):
    priority = PriorityFactory(organization=staff.organization)
    response = client.post(reverse("admin:kpis_kpi_add"), _data(staff.organization, priorities=[priority.pk]))
    assert response.status_code == 302
    kpi = Kpi.objects.get(code="win_rate")
    assert kpi.organization == staff.organization
    assert list(kpi.priorities.all()) == [priority]
    assert kpi.recompute_requested_at is not None


def test_a_refused_kpi_is_a_form_error_and_stores_nothing(client, staff):
    data = _data(staff.organization, formula="100 * deals_won / deals_closed")
    response = client.post(reverse("admin:kpis_kpi_add"), data)
    assert response.status_code == 200
    errors = " ".join(str(error) for error in response.context["errors"])
    assert "Unknown KPI codes: deals_closed, deals_won." in errors
    assert not Kpi.objects.exists()


def test_kpi_of_another_organization_cannot_be_added_by_an_organization_admin(client, staff, member_b):
    response = client.post(reverse("admin:kpis_kpi_add"), _data(member_b.organization))
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Kpi.objects.exists()


def test_kpi_changed_in_the_admin_goes_through_the_service(client, staff):
    kpi = KpiFactory(organization=staff.organization, code="win_rate", recompute_requested_at=None)
    url = reverse("admin:kpis_kpi_change", args=[kpi.pk])
    response = client.post(url, _data(staff.organization, name="Win rate (deals)"))
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.name == "Win rate (deals)" and kpi.recompute_requested_at is not None
    response = client.post(url, _data(staff.organization, warning_threshold="10", critical_threshold="15"))
    assert response.status_code == 200
    assert Kpi.objects.get(pk=kpi.pk).warning_threshold == 20


def test_kpis_are_archived_not_deleted_in_the_admin(client, staff):
    kpi = KpiFactory(organization=staff.organization)
    response = client.post(reverse("admin:kpis_kpi_delete", args=[kpi.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Kpi.objects.filter(pk=kpi.pk).exists()
