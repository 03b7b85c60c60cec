"""The demo in Spanish: its own organization, with the templates' and the catalog's Spanish texts."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from kpis import catalog
from kpis.models import Kpi
from okrs import okr_templates
from okrs.models import KeyResult, Objective
from onboarding.demo import demo_load

pytestmark = pytest.mark.django_db


def test_spanish_demo_is_its_own_organization_written_in_spanish():
    english = demo_load(password="demo-password-1").organization
    result = demo_load(password="demo-password-1", language="es")
    organization = result.organization
    assert (organization.slug, organization.language) == ("acme-revops-es", "es")
    assert organization.pk != english.pk
    assert set(organization.memberships.values_list("user__username", flat=True)) == {
        "demo-admin-es",
        "demo-editor-es",
        "demo-viewer-es",
    }
    objectives = Objective.objects.filter(cycle__organization=organization).order_by("position")
    with translation.override("es"):
        expected = [str(template.title) for template in okr_templates.TEMPLATES]
        kpi_name = str(catalog.BY_CODE["win_rate"].name)
    assert [objective.title for objective in objectives] == expected
    assert [objective.template_key for objective in objectives] == list(okr_templates.TEMPLATE_KEYS)
    assert Kpi.objects.get(organization=organization, code="win_rate").name == kpi_name
    # The key results the templates tie to catalog KPIs follow them in Spanish too.
    linked = KeyResult.objects.for_organization(organization).filter(kpi__isnull=False)
    assert linked.count() == 5
    # The English demo keeps its English titles.
    assert Objective.objects.filter(cycle__organization=english, title="Improve sales efficiency").exists()

    counts = (Objective.objects.count(), KeyResult.objects.count(), Kpi.objects.count())
    call_command("load_demo", "--language", "es", stdout=io.StringIO())
    assert (Objective.objects.count(), KeyResult.objects.count(), Kpi.objects.count()) == counts
