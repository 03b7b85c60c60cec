import pytest

from kpis.models import KpiValue, Measurement
from okrs.models import CheckIn, KeyResult
from onboarding.demo import demo_load

pytestmark = pytest.mark.django_db


def test_demo_has_a_year_of_kpis_and_key_results_that_follow_them():
    result = demo_load(password="demo-password-1")
    organization = result.organization
    measurements = Measurement.objects.filter(organization=organization)
    assert measurements.count() > 5000
    days = {m.date() for m in measurements.values_list("timestamp", flat=True)}
    assert len(days) >= 360
    linked = KeyResult.objects.for_organization(organization).filter(kpi__isnull=False)
    assert linked.count() >= 4
    assert CheckIn.objects.filter(key_result__in=linked, source="kpi_sync").count() == linked.count()
    win_rate = KpiValue.objects.filter(
        kpi__organization=organization, kpi__code="win_rate", value__isnull=False
    )
    assert win_rate.count() >= 12
    assert all(10 < value < 40 for value in win_rate.values_list("value", flat=True))

    again = demo_load()
    assert Measurement.objects.filter(organization=again.organization).count() == measurements.count()
