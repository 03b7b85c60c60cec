import pytest
from django.urls import reverse

from okrs.models import KeyResult
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import KeyResultFactory

pytestmark = pytest.mark.django_db


def test_key_result_form_offers_only_the_organizations_kpis_and_links_one(client, editor_a, org_b):
    key_result = KeyResultFactory(objective__cycle__organization=editor_a.organization, owner=editor_a.user)
    ours = KpiFactory(organization=editor_a.organization, name="Win rate")
    KpiFactory(organization=org_b, name="Their secret KPI")
    client.force_login(editor_a.user)
    url = reverse("okrs:key-result-update", args=[key_result.pk])
    page = client.get(url).content.decode()
    assert "Win rate" in page and "Their secret KPI" not in page
    data = {
        "title": key_result.title,
        "owner": editor_a.user.pk,
        "kind": key_result.kind,
        "unit": key_result.unit,
        "start_value": "0",
        "target_value": "100",
        "due_date": key_result.due_date.isoformat(),
        "weight": "1",
        "confidence": "5",
        "kpi": ours.pk,
        "kpi_window": "latest_period",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert KeyResult.objects.get(pk=key_result.pk).kpi == ours
