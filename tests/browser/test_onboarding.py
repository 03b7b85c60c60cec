"""The guided start in a real Chromium: from an empty organization to a populated overview, and the KPI
catalog page adding KPIs later."""

import pytest
from playwright.sync_api import expect

from accounts.models import Organization
from kpis.models import Kpi
from okrs.models import Cycle, KeyResult, Objective, Priority
from tests.browser.conftest import screenshot
from tests.okrs.factories import CycleFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guided_start_takes_an_empty_organization_to_a_populated_overview(
    live_server, sign_in, console_errors, admin_a
):
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#setup-banner")).to_be_visible()
    page.get_by_role("button", name="Start the set-up").click()
    expect(page.get_by_role("heading", name="Set up your organization")).to_be_visible()
    page.get_by_role("button", name="Begin").click()

    # Organization basics.
    page.get_by_label("Time zone").select_option("Europe/Madrid")
    page.get_by_label("Currency").fill("eur")
    page.get_by_role("button", name="Save and continue").click()

    # The first cycle: the current quarter is suggested.
    expect(page.get_by_role("heading", name="The first cycle")).to_be_visible()
    cycle_name = page.get_by_label("Name").input_value()
    assert cycle_name.startswith("Q")
    page.get_by_role("button", name="Create the cycle and continue").click()

    # Priorities: the four suggestions, one renamed and one left out, and one of our own.
    expect(page.get_by_role("heading", name="Company priorities")).to_be_visible()
    rows = page.locator("[data-priority-row]")
    expect(rows).to_have_count(6)
    rows.nth(3).get_by_label("Priority").fill("Expansion into new regions")
    rows.nth(2).get_by_label("Add").uncheck()
    rows.nth(4).get_by_label("Add").check()
    rows.nth(4).get_by_label("Priority").fill("Partners")
    screenshot(page, "onboarding-priorities")
    page.get_by_role("button", name="Save and continue").click()

    # OKR templates: two of the five, one adapted.
    expect(page.get_by_role("heading", name="OKR templates")).to_be_visible()
    sales = page.locator("section[data-template='sales_efficiency']")
    sales.get_by_label("Add this objective").check()
    sales.get_by_text("Adapt before adding").click()
    sales.locator("tr[data-key-result='close_rate'] input[name$='_target']").fill("25")
    sales.locator("tr[data-key-result='crm_adoption'] input[type='checkbox']").uncheck()
    page.locator("section[data-template='data_driven']").get_by_label("Add this objective").check()
    screenshot(page, "onboarding-templates")
    page.get_by_role("button", name="Add the chosen objectives").click()

    # KPI catalog: two KPIs, linked to the objectives just created.
    expect(page.get_by_role("heading", name="KPI catalog")).to_be_visible()
    expect(page.locator(".catalog-kpi[data-code='win_rate']").first).to_contain_text(
        "Improve sales efficiency"
    )
    page.locator(".catalog-kpi[data-code='win_rate'] input[type='checkbox']").first.check()
    page.locator(".catalog-kpi[data-code='forecast_accuracy'] input[type='checkbox']").first.check()
    screenshot(page, "onboarding-catalog")
    page.get_by_role("button", name="Add the chosen KPIs and finish").click()

    # The overview now shows the priorities and the objectives' roll-up.
    expect(page.get_by_role("heading", name="Company overview")).to_be_visible()
    expect(page.locator("#setup-banner")).to_have_count(0)
    expect(page.locator(".priority-card")).to_have_count(4)
    expect(page.get_by_text("Expansion into new regions")).to_be_visible()
    screenshot(page, "onboarding-overview")

    organization = Organization.objects.get(pk=admin_a.organization.pk)
    assert organization.setup_completed_at is not None
    assert (organization.time_zone, organization.currency) == ("Europe/Madrid", "EUR")
    assert list(Cycle.objects.filter(organization=organization).values_list("name", flat=True)) == [
        cycle_name
    ]
    assert list(Priority.objects.filter(organization=organization).values_list("title", flat=True)) == [
        "Growth",
        "Efficiency",
        "Expansion into new regions",
        "Partners",
    ]
    objectives = Objective.objects.filter(cycle__organization=organization).order_by("position")
    assert [o.template_key for o in objectives] == ["sales_efficiency", "data_driven"]
    assert [o.priority.title for o in objectives] == ["Efficiency", "Growth"]
    assert KeyResult.objects.filter(objective__cycle__organization=organization).count() == 5
    assert objectives[0].key_results.get(position=0).target_value == 25
    kpis = {kpi.code: kpi for kpi in Kpi.objects.filter(organization=organization)}
    assert set(kpis) == {"win_rate", "deals_won", "deals_closed", "forecast_accuracy"}
    assert list(kpis["win_rate"].objectives.all()) == [objectives[0]]
    assert list(kpis["forecast_accuracy"].objectives.all()) == [objectives[1]]
    assert console_errors == []


def test_kpi_catalog_page_adds_kpis_later_from_the_scorecard(live_server, sign_in, console_errors, admin_a):
    organization = admin_a.organization
    Organization.objects.filter(pk=organization.pk).update(language="en")
    cycle = CycleFactory(organization=organization, name="Q4 2026")
    objective = ObjectiveFactory(cycle=cycle, template_key="retention_expansion", owner=admin_a.user)
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/kpis/")
    page.get_by_role("button", name="KPI catalog").click()
    expect(page.get_by_role("heading", name="Customer success")).to_be_visible()
    page.get_by_role("link", name="By objective").click()
    section = page.locator("section[data-group='retention_expansion']")
    expect(section).to_contain_text("Customer churn rate")
    section.locator(".catalog-kpi[data-code='churn_rate'] input[type='checkbox']").check()
    section.locator(".catalog-kpi[data-code='nps'] input[type='checkbox']").check()
    page.get_by_role("button", name="Add the chosen KPIs").click()
    expect(page.get_by_text("2 KPIs added from the catalog.")).to_be_visible()
    expect(page.locator(".catalog-kpi[data-code='churn_rate']").first).to_contain_text("added")
    expect(page.locator(".catalog-kpi[data-code='churn_rate'] input[type='checkbox']")).to_have_count(0)
    screenshot(page, "kpi-catalog-added")
    assert set(objective.kpis.values_list("code", flat=True)) == {"churn_rate", "nps"}
    assert Kpi.objects.filter(organization=organization).count() == 4
    assert console_errors == []
