"""The guided start's pages: admins only for the set-up, editors for templates and catalog, viewers read."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Organization
from kpis.models import Kpi
from okrs import okr_templates
from okrs.models import Cycle, KeyResult, Objective, Priority
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import CycleFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

SETUP_PAGES = ["onboarding:start", "onboarding:basics", "onboarding:cycle", "onboarding:priorities"]


def _template_post(cycle, owner, key="sales_efficiency", **overrides) -> dict:
    data = {"cycle": cycle.pk, f"{key}-add": "on", f"{key}-owner": owner.pk}
    template = okr_templates.BY_KEY[key]
    for kr in template.key_results:
        data.update({f"{key}-{kr.key}_include": "on", f"{key}-{kr.key}_start": kr.start,
                     f"{key}-{kr.key}_target": kr.target})  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", SETUP_PAGES)
def test_setup_pages_are_for_admins_only(client, editor_a, viewer_a, admin_a, name):
    for member in (editor_a, viewer_a):
        client.force_login(member.user)
        assert client.get(reverse(name)).status_code == 403
    client.force_login(admin_a.user)
    assert client.get(reverse(name)).status_code == 200


def test_setup_pages_need_sign_in(client):
    response = client.get(reverse("onboarding:start"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_empty_organizations_admin_is_offered_the_guided_start_on_the_overview(client, admin_a, editor_a):
    client.force_login(admin_a.user)
    content = client.get(reverse("dashboards:overview")).content.decode()
    assert 'id="setup-banner"' in content and reverse("onboarding:start") in content
    client.force_login(editor_a.user)
    assert 'id="setup-banner"' not in client.get(reverse("dashboards:overview")).content.decode()


def test_basics_step_saves_time_zone_currency_and_language(client, admin_a):
    client.force_login(admin_a.user)
    response = client.post(
        reverse("onboarding:basics"), {"time_zone": "Europe/Madrid", "currency": "eur", "language": "es"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("onboarding:cycle")
    organization = Organization.objects.get(pk=admin_a.organization.pk)
    assert (organization.time_zone, organization.currency, organization.language) == (
        "Europe/Madrid",
        "EUR",
        "es",
    )


def test_basics_step_refuses_a_bad_currency(client, admin_a):
    client.force_login(admin_a.user)
    response = client.post(
        reverse("onboarding:basics"), {"time_zone": "UTC", "currency": "E1", "language": "en"}
    )
    assert response.status_code == 400
    assert "currency" in response.context["form"].errors


def test_cycle_step_suggests_the_current_quarter_and_creates_it_once(client, admin_a):
    client.force_login(admin_a.user)
    form = client.get(reverse("onboarding:cycle")).context["form"]
    data = {name: form.initial[name] for name in ("name", "start", "end")}
    assert data["start"].day == 1 and data["start"].month in (1, 4, 7, 10)
    for _round in range(2):
        response = client.post(reverse("onboarding:cycle"), data)
        assert response.status_code == 302 and response["Location"] == reverse("onboarding:priorities")
    assert list(Cycle.objects.filter(organization=admin_a.organization).values_list("name", flat=True)) == [
        data["name"]
    ]


def test_priorities_step_creates_the_chosen_ones_once(client, admin_a):
    client.force_login(admin_a.user)
    url = reverse("onboarding:priorities")
    data = {
        "priority-TOTAL_FORMS": "3",
        "priority-INITIAL_FORMS": "3",
        "priority-0-include": "on",
        "priority-0-title": "Growth",
        "priority-0-description": "Grow.",
        "priority-1-title": "Efficiency",  # not included
        "priority-2-include": "on",
        "priority-2-title": "Partners",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    titles = list(Priority.objects.filter(organization=admin_a.organization).values_list("title", flat=True))
    assert titles == ["Growth", "Partners"]


def test_priorities_step_suggests_the_four_in_the_organizations_language(client, admin_a):
    Organization.objects.filter(pk=admin_a.organization.pk).update(language="es")
    client.force_login(admin_a.user)
    formset = client.get(reverse("onboarding:priorities")).context["formset"]
    with translation.override("es"):
        expected = [str(priority.title) for priority in okr_templates.PRIORITIES]
    assert [form.initial["title"] for form in formset][:4] == expected


def test_templates_page_adds_the_chosen_template_as_adapted_and_only_once(client, admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    client.force_login(admin_a.user)
    data = _template_post(
        cycle,
        admin_a.user,
        **{"sales_efficiency-title": "Sell better", "sales_efficiency-crm_adoption_include": "",
           "sales_efficiency-close_rate_target": "25.5"},
    )  # fmt: skip
    for _round in range(2):
        response = client.post(reverse("onboarding:okr-templates"), data)
        assert response.status_code == 302
    objective = Objective.objects.get(cycle=cycle)
    assert objective.title == "Sell better"
    assert [str(v) for v in objective.key_results.values_list("target_value", flat=True)] == [
        "25.5000",
        "52.0000",
    ]
    assert Objective.objects.count() == 1 and KeyResult.objects.count() == 2


def test_templates_page_shows_errors_and_creates_nothing_on_a_bad_target(client, admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    client.force_login(admin_a.user)
    data = _template_post(cycle, admin_a.user, **{"sales_efficiency-close_rate_target": "20"})
    response = client.post(reverse("onboarding:okr-templates"), data)
    assert response.status_code == 400
    assert response.context["rows"][0]["form"].errors
    assert not Objective.objects.exists()


def test_templates_page_lets_editors_add_to_their_own_teams_only(client, editor_a, admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    own = TeamFactory(organization=admin_a.organization, name="Own")
    other = TeamFactory(organization=admin_a.organization, name="Other")
    editor_a.membership.teams.add(own)
    client.force_login(editor_a.user)
    data = _template_post(cycle, editor_a.user, **{"sales_efficiency-team": other.pk})
    assert client.post(reverse("onboarding:okr-templates"), data).status_code == 400
    data["sales_efficiency-team"] = own.pk
    assert client.post(reverse("onboarding:okr-templates"), data).status_code == 302
    assert Objective.objects.get().team == own


def test_viewers_may_read_templates_and_catalog_but_not_add(client, viewer_a, admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    client.force_login(viewer_a.user)
    assert client.get(reverse("onboarding:okr-templates")).status_code == 200
    assert client.get(reverse("onboarding:kpi-catalog")).status_code == 200
    assert (
        client.post(reverse("onboarding:okr-templates"), _template_post(cycle, admin_a.user)).status_code
        == 403
    )
    response = client.post(reverse("onboarding:kpi-catalog"), {"cycle": cycle.pk, "codes": ["nps"]})
    assert response.status_code == 403
    assert not Objective.objects.exists() and not Kpi.objects.exists()


def test_another_organizations_cycle_is_not_found(client, admin_a, member_b):
    other = CycleFactory(organization=member_b.organization)
    client.force_login(admin_a.user)
    response = client.post(reverse("onboarding:okr-templates"), _template_post(other, admin_a.user))
    assert response.status_code == 400
    response = client.post(reverse("onboarding:kpi-catalog"), {"cycle": other.pk, "codes": ["nps"]})
    assert response.status_code == 400
    assert not Objective.objects.exists() and not Kpi.objects.exists()


def test_catalog_adds_the_chosen_kpis_linked_to_the_objectives_they_measure(client, admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    objective = ObjectiveFactory(cycle=cycle, template_key="retention_expansion", owner=admin_a.user)
    ObjectiveFactory(cycle=cycle, template_key="sales_efficiency", owner=admin_a.user)
    client.force_login(admin_a.user)
    for _round in range(2):
        response = client.post(
            reverse("onboarding:kpi-catalog"), {"cycle": cycle.pk, "codes": ["churn_rate", "nps"]}
        )
        assert response.status_code == 302
    codes = set(Kpi.objects.filter(organization=admin_a.organization).values_list("code", flat=True))
    assert codes == {"churn_rate", "nps", "active_customers", "churned_customers"}
    assert set(objective.kpis.values_list("code", flat=True)) == {"churn_rate", "nps"}


def test_catalog_refuses_an_empty_choice(client, admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    client.force_login(admin_a.user)
    response = client.post(reverse("onboarding:kpi-catalog"), {"cycle": cycle.pk})
    assert response.status_code == 400 and "codes" in response.context["form"].errors


@pytest.mark.parametrize("group", ["family", "objective", "priority"])
def test_catalog_shows_every_kpi_with_its_definition_in_each_grouping(client, admin_a, group):
    client.force_login(admin_a.user)
    response = client.get(reverse("onboarding:kpi-catalog"), {"group": group})
    content = response.content.decode()
    shown = {row.entry.code for section in response.context["groups"] for row in section.rows}
    from kpis import catalog

    assert shown == set(catalog.BY_CODE)
    assert "100 * churned_customers / active_customers" in content


@pytest.mark.parametrize("size", [1, 8])
def test_catalog_page_runs_constant_queries(client, admin_a, size, django_assert_num_queries):
    cycle = CycleFactory(organization=admin_a.organization)
    for key in okr_templates.TEMPLATE_KEYS[:size]:
        ObjectiveFactory(cycle=cycle, template_key=key, owner=admin_a.user)
    from kpis import catalog
    from kpis import services as kpi_services

    kpi_services.kpis_from_catalog(
        organization=admin_a.organization,
        user=admin_a.user,
        codes=[e.code for e in catalog.CATALOG[: size * 3]],
    )
    client.force_login(admin_a.user)
    # session, user, membership, open cycles, the organization's KPI codes, the cycle's template
    # objectives, unread notifications
    with django_assert_num_queries(7):
        response = client.get(reverse("onboarding:kpi-catalog"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_templates_page_runs_constant_queries(client, admin_a, size, django_assert_num_queries):
    cycle = CycleFactory(organization=admin_a.organization)
    for key in okr_templates.TEMPLATE_KEYS[:size]:
        ObjectiveFactory(cycle=cycle, template_key=key, owner=admin_a.user)
    client.force_login(admin_a.user)
    # session, user, membership, open cycles, teams, owners, priorities, the cycle's template objectives,
    # unread notifications
    with django_assert_num_queries(9):
        response = client.get(reverse("onboarding:okr-templates"))
    assert response.status_code == 200


def test_finish_and_skip_mark_the_setup_done_for_admins_only(client, admin_a, editor_a):
    client.force_login(editor_a.user)
    assert client.post(reverse("onboarding:skip")).status_code == 403
    assert Organization.objects.get(pk=admin_a.organization.pk).setup_completed_at is None
    client.force_login(admin_a.user)
    assert client.get(reverse("onboarding:skip")).status_code == 405
    assert client.post(reverse("onboarding:skip"))["Location"] == reverse("dashboards:overview")
    assert Organization.objects.get(pk=admin_a.organization.pk).setup_completed_at is not None
    content = client.get(reverse("dashboards:overview")).content.decode()
    assert 'id="setup-banner"' not in content
