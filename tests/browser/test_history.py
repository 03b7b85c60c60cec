"""The History section in a real Chromium: a change saved on the edit pages shows on the objective page,
field by field with who made it; a KPI page shows its definition's history; the page of its own works
without the objective page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def objective(admin_a):
    objective = ObjectiveFactory(
        cycle=CycleFactory(organization=admin_a.organization, name="Q4"),
        owner=admin_a.user,
        title="Grow EMEA",
    )
    KeyResultFactory(objective=objective, owner=admin_a.user, title="EMEA pipeline")
    return objective


def test_changes_saved_on_pages_show_in_the_objective_history(
    live_server, sign_in, console_errors, objective, editor_a
):
    page = sign_in(editor_a.user)
    page.goto(live_server.url + reverse("okrs:objective-update", args=[objective.pk]))
    page.get_by_label("Title").fill("Grow EMEA and DACH")
    page.get_by_role("button", name="Save objective").click()
    page.wait_for_url(live_server.url + objective.get_absolute_url())
    key_result = objective.key_results.get()
    page.goto(live_server.url + reverse("okrs:key-result-update", args=[key_result.pk]))
    page.get_by_label("Target value").fill("250")
    page.get_by_role("button", name="Save key result").click()
    page.wait_for_url(live_server.url + objective.get_absolute_url())

    history = page.locator("#activity")
    history.scroll_into_view_if_needed()
    entries = history.locator(".activity-entry")
    expect(entries.first).to_be_visible()  # loaded with htmx after the page
    name = editor_a.user.get_full_name()
    kr_change = entries.nth(0)
    expect(kr_change).to_contain_text(f"{name} changed key result “EMEA pipeline”")
    expect(kr_change.locator('[data-field="target_value"]')).to_have_text("Target value: 100 → 250")
    title_change = entries.nth(1)
    expect(title_change).to_contain_text(f"{name} changed objective “Grow EMEA and DACH”")
    expect(title_change).to_contain_text("from the page")
    expect(title_change.locator('[data-field="title"]')).to_have_text("Title: Grow EMEA → Grow EMEA and DACH")
    expect(history.locator('[data-action="create"][data-object-type="objective"]')).to_contain_text(
        "created objective “Grow EMEA”"
    )
    screenshot(page, "objective-history")
    assert console_errors == []


def test_kpi_history_and_the_history_page_of_its_own(
    live_server, sign_in, console_errors, admin_a, objective
):
    kpi = KpiFactory(organization=admin_a.organization, name="Win rate", code="win_rate")
    page = sign_in(admin_a.user)
    page.goto(live_server.url + reverse("kpis:kpi-update", args=[kpi.pk]))
    page.get_by_label("Target", exact=True).fill("30")
    page.get_by_role("button", name="Save KPI").click()
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + reverse("dashboards:kpi-detail", args=[kpi.pk]))
    change = page.locator("#activity .activity-entry").first
    expect(change).to_contain_text("changed KPI “Win rate (win_rate)”")
    expect(change.locator('[data-field="target"]')).to_have_text("Target: – → 30")

    page.goto(live_server.url + reverse("activity:timeline", args=["objective", objective.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Grow EMEA")
    page.get_by_role("link", name="Grow EMEA").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grow EMEA")
    assert console_errors == []
