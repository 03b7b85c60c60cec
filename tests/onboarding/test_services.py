"""The guided start's services create exactly what was chosen, and twice creates nothing twice."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts.choices import TeamKind
from common.exceptions import ApplicationError
from kpis import catalog
from kpis import services as kpi_services
from kpis.models import Kpi
from okrs import okr_templates, services
from okrs.models import KeyResult, Objective
from tests.accounts.factories import OrganizationFactory, TeamFactory
from tests.okrs.factories import CycleFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def test_template_objective_has_exactly_the_chosen_key_results(admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    objective = services.objective_from_template(
        organization=admin_a.organization,
        user=admin_a.user,
        cycle=cycle,
        template_key="sales_efficiency",
        title="Sell smarter",
        key_results=[
            {
                "key": "close_rate",
                "include": True,
                "title": "Close 25% of deals",
                "start": "20",
                "target": "25",
            },
            {"key": "crm_adoption", "include": False},
        ],
    )
    assert objective.title == "Sell smarter"
    assert objective.template_key == "sales_efficiency"
    assert objective.owner == admin_a.user
    rows = list(objective.key_results.values_list("title", "start_value", "target_value"))
    assert rows == [
        ("Close 25% of deals", Decimal("20"), Decimal("25")),
        ("Shorten the average sales cycle by 10 days", Decimal("62"), Decimal("52")),
    ]
    assert objective.status == objective.key_results.first().status  # figures computed on return


def test_template_added_twice_in_a_cycle_is_created_once(admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    arguments = {"organization": admin_a.organization, "user": admin_a.user, "cycle": cycle}
    first = services.objective_from_template(template_key="data_driven", **arguments)
    second = services.objective_from_template(template_key="data_driven", title="Another title", **arguments)
    assert first.pk == second.pk
    assert Objective.objects.filter(cycle=cycle).count() == 1
    assert KeyResult.objects.filter(objective__cycle=cycle).count() == 3
    other_cycle = CycleFactory(organization=admin_a.organization)
    services.objective_from_template(template_key="data_driven", **{**arguments, "cycle": other_cycle})
    assert Objective.objects.filter(template_key="data_driven").count() == 2


def test_template_uses_the_team_of_its_kind_and_the_suggested_priority(admin_a):
    organization = admin_a.organization
    team = TeamFactory(organization=organization, kind=TeamKind.CUSTOMER_SUCCESS)
    priority = PriorityFactory(organization=organization, title="Retention")
    cycle = CycleFactory(organization=organization)
    objective = services.objective_from_template(
        organization=organization, user=admin_a.user, cycle=cycle, template_key="retention_expansion"
    )
    assert (objective.team, objective.priority) == (team, priority)


def test_template_key_result_follows_the_organizations_catalog_kpi(admin_a):
    organization = admin_a.organization
    (win_rate,) = kpi_services.kpis_from_catalog(
        organization=organization, user=admin_a.user, codes=["win_rate"]
    )
    objective = services.objective_from_template(
        organization=organization,
        user=admin_a.user,
        cycle=CycleFactory(organization=organization),
        template_key="sales_efficiency",
    )
    assert objective.key_results.get(position=0).kpi == win_rate
    assert objective.key_results.get(position=2).kpi is None


def test_template_in_a_spanish_organization_is_written_in_spanish(admin_a):
    organization = admin_a.organization
    organization.language = "es"
    organization.save()
    objective = services.objective_from_template(
        organization=organization,
        user=admin_a.user,
        cycle=CycleFactory(organization=organization),
        template_key="market_expansion",
    )
    template = okr_templates.template_get("market_expansion")
    with translation.override("es"):
        expected = (
            str(template.title),
            str(template.so_what),
            [str(kr.title) for kr in template.key_results],
        )
    assert (objective.title, objective.so_what, [kr.title for kr in objective.key_results.all()]) == expected


def test_template_refuses_another_organizations_cycle_and_an_unknown_key(admin_a, member_b):
    with pytest.raises(ApplicationError):
        services.objective_from_template(
            organization=admin_a.organization,
            user=admin_a.user,
            cycle=CycleFactory(organization=member_b.organization),
            template_key="sales_efficiency",
        )
    with pytest.raises(ApplicationError):
        services.objective_from_template(
            organization=admin_a.organization,
            user=admin_a.user,
            cycle=CycleFactory(organization=admin_a.organization),
            template_key="nope",
        )
    assert not Objective.objects.exists()


def test_template_with_every_key_result_excluded_creates_nothing(admin_a):
    with pytest.raises(ApplicationError):
        services.objective_from_template(
            organization=admin_a.organization,
            user=admin_a.user,
            cycle=CycleFactory(organization=admin_a.organization),
            template_key="revops_processes",
            key_results=[
                {"key": kr.key, "include": False}
                for kr in okr_templates.BY_KEY["revops_processes"].key_results
            ],
        )
    assert not Objective.objects.exists()


def test_catalog_kpis_with_formula_bring_their_inputs_and_link_objectives(admin_a):
    organization = admin_a.organization
    objective = services.objective_from_template(
        organization=organization,
        user=admin_a.user,
        cycle=CycleFactory(organization=organization),
        template_key="retention_expansion",
    )
    kpis = kpi_services.kpis_from_catalog(
        organization=organization, user=admin_a.user, codes=["churn_rate", "nps"], objectives=[objective]
    )
    assert [kpi.code for kpi in kpis] == ["churn_rate", "nps"]
    codes = set(Kpi.objects.filter(organization=organization).values_list("code", flat=True))
    assert codes == {"churn_rate", "nps", "churned_customers", "active_customers"}
    assert set(objective.kpis.values_list("code", flat=True)) == {"churn_rate", "nps"}
    churn = kpis[0]
    entry = catalog.BY_CODE["churn_rate"]
    assert (churn.formula, churn.unit, churn.direction, churn.cadence, churn.benchmark) == (
        entry.formula,
        entry.unit,
        entry.direction,
        entry.cadence,
        Decimal(entry.benchmark),
    )


def test_catalog_twice_creates_nothing_twice_and_keeps_edits(admin_a):
    organization = admin_a.organization
    (nps,) = kpi_services.kpis_from_catalog(organization=organization, user=admin_a.user, codes=["nps"])
    kpi_services.kpi_update(kpi=nps, name="Our NPS")
    again = kpi_services.kpis_from_catalog(organization=organization, user=admin_a.user, codes=["nps", "nps"])
    assert [kpi.pk for kpi in again] == [nps.pk]
    assert Kpi.objects.filter(organization=organization).count() == 1
    assert Kpi.objects.get(pk=nps.pk).name == "Our NPS"


def test_catalog_in_a_spanish_organization_is_written_in_spanish(db):
    organization = OrganizationFactory(language="es")
    (kpi,) = kpi_services.kpis_from_catalog(organization=organization, user=None, codes=["win_rate"])
    entry = catalog.BY_CODE["win_rate"]
    with translation.override("es"):
        assert (kpi.name, kpi.description) == (str(entry.name), str(entry.description))


def test_catalog_refuses_unknown_codes_and_other_organizations_objectives(admin_a, member_b):
    with pytest.raises(ApplicationError):
        kpi_services.kpis_from_catalog(organization=admin_a.organization, user=None, codes=["nope"])
    objective = services.objective_from_template(
        organization=member_b.organization,
        user=member_b.user,
        cycle=CycleFactory(organization=member_b.organization),
        template_key="data_driven",
    )
    with pytest.raises(Exception):  # noqa: B017
        kpi_services.kpis_from_catalog(
            organization=admin_a.organization, user=None, codes=["nps"], objectives=[objective]
        )
    assert not Kpi.objects.filter(organization=admin_a.organization).exists()


def test_every_catalog_kpi_serves_known_templates_and_priorities():
    for entry in catalog.CATALOG:
        assert set(entry.templates) <= set(okr_templates.TEMPLATE_KEYS), entry.code
        assert set(entry.priorities) <= set(okr_templates.PRIORITY_KEYS), entry.code
        assert entry.templates and entry.priorities, entry.code
    for template in okr_templates.TEMPLATES:
        for kr in template.key_results:
            assert not kr.kpi_code or kr.kpi_code in catalog.BY_CODE


def test_quarters_follow_the_fiscal_year():
    from datetime import date

    from okrs.okr_templates import quarter_of

    assert quarter_of(date(2026, 11, 24)) == ("Q4 2026", date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 11, 24), 7) == ("Q2 FY2027", date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 11, 24), 2) == ("Q4 FY2027", date(2026, 11, 1), date(2027, 1, 31))
    assert quarter_of(date(2027, 1, 5), 4) == ("Q4 FY2027", date(2027, 1, 1), date(2027, 3, 31))
    assert quarter_of(date(2026, 4, 1), 4) == ("Q1 FY2027", date(2026, 4, 1), date(2026, 6, 30))
