"""The lifecycle in a real Chromium: closing a cycle from its preview, moving an objective through its
states and reopening it, adjusting a score, and the quarter summary with its chart."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from okrs import services
from okrs.choices import CycleState, ObjectiveState
from okrs.models import Cycle, KeyResult, Objective
from tests.browser.conftest import screenshot
from tests.okrs.test_lifecycle_views import quarter_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quarter(admin_a, editor_a):
    return quarter_build(admin_a.organization, editor_a.user)


def _without_refusals(errors: list[str]) -> list[str]:
    """Console errors other than Chromium's note of a refused form's deliberate 400 answer."""
    return [error for error in errors if "status of 400" not in error]


def _assert_chart_drawn(page, selector: str) -> None:
    expect(page.locator(f"{selector} svg.main-svg").first).to_be_attached()
    expect(page.locator(f"{selector} .barlayer .trace").first).to_be_attached()


def test_admin_closes_a_cycle_from_its_preview(live_server, sign_in, console_errors, quarter, admin_a):
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}{reverse('dashboards:overview')}?cycle={quarter.cycle.pk}")
    page.get_by_role("link", name="Close Q4 2026…").click()
    expect(page.get_by_role("heading", name="Close Q4 2026", exact=True)).to_be_visible()
    lagging = page.locator(f'tbody[data-objective="{quarter.lagging.pk}"]')
    expect(lagging.locator(".preview-objective .score")).to_have_text(re.compile(r"0\.32 Red"))
    expect(lagging.locator(".preview-key-result .score")).to_have_text(
        [re.compile(r"0\.13 Red"), re.compile(r"0\.90 Green")]
    )
    stretch = page.locator(f'tbody[data-objective="{quarter.stretch.pk}"] .preview-objective .score')
    expect(stretch).to_have_text(re.compile(r"0\.55 Yellow"))
    expect(page.locator(f'tbody[data-objective="{quarter.draft.pk}"]')).to_contain_text("Draft: not scored")
    screenshot(page, "cycle-close-preview")

    page.get_by_role("button", name="Close Q4 2026 and score it").click()
    expect(page).to_have_url(live_server.url + reverse("okrs:cycle-summary", args=[quarter.cycle.pk]))
    expect(page.get_by_role("status")).to_contain_text("Q4 2026 is closed and its key results are scored.")
    expect(page.get_by_text("Final scores", exact=False)).to_be_visible()
    _assert_chart_drawn(page, '[data-figure="summary-figure"]')
    screenshot(page, "cycle-summary-closed")
    cycle = Cycle.objects.get(pk=quarter.cycle.pk)
    assert cycle.state == CycleState.CLOSED
    assert Objective.objects.get(pk=quarter.lagging.pk).score == Decimal("0.32")
    assert console_errors == []


def test_objective_moves_through_its_lifecycle_and_an_admin_reopens_it(
    live_server, sign_in, console_errors, quarter, editor_a, admin_a
):
    url = live_server.url + quarter.draft.get_absolute_url()
    page = sign_in(editor_a.user)
    page.goto(url)
    panel = page.locator("#objective-lifecycle")
    for button, state in [
        ("Submit for review", "In review"),
        ("Activate", "Active"),
        ("Close objective", "Closed"),
    ]:
        panel.get_by_role("button", name=button).click()
        expect(page).to_have_url(url)
        expect(page.locator('#objective-lifecycle [data-role="state"]')).to_have_text(state)
    expect(panel.locator(".state-history tbody tr")).to_have_count(3)
    expect(panel.locator(".state-history tbody tr").first).to_contain_text("Active → Closed")
    expect(panel.locator(".lifecycle-summary .score")).to_have_text(re.compile(r"0\.10 Red"))
    expect(panel.get_by_text("Reopen…")).to_have_count(0)  # editors cannot reopen
    screenshot(page, "objective-closed-by-editor")

    page = sign_in(admin_a.user)
    page.goto(url)
    panel = page.locator("#objective-lifecycle")
    panel.get_by_text("Reopen…").click()
    panel.get_by_role("button", name="Reopen objective").click()
    expect(page.locator("#id_reason_error")).to_have_text("This field is required.")
    page.get_by_label("Why reopen it?").fill("Closed before the partner signed")
    page.get_by_role("button", name="Reopen objective").click()
    expect(page).to_have_url(url)
    expect(page.locator('#objective-lifecycle [data-role="state"]')).to_have_text("Active")
    expect(page.locator(".state-history tbody tr").first).to_contain_text("Closed → Active")
    expect(page.locator(".state-history tbody tr").first).to_contain_text("Closed before the partner signed")
    screenshot(page, "objective-reopened")
    assert Objective.objects.get(pk=quarter.draft.pk).state == ObjectiveState.ACTIVE
    assert _without_refusals(console_errors) == []


def test_owner_adjusts_a_score_with_a_reason(
    live_server, sign_in, console_errors, quarter, admin_a, editor_a
):
    services.cycle_close(cycle=quarter.cycle, user=admin_a.user)
    key_result = quarter.lagging_krs[0]
    page = sign_in(editor_a.user)
    page.goto(live_server.url + quarter.lagging.get_absolute_url())
    expect(page.locator(f"#kr-{key_result.pk} .score")).to_have_text(re.compile(r"0\.13 Red"))
    row = page.locator(f"#score-{key_result.pk}")
    row.get_by_text("Adjust score").click()
    row.get_by_label("Score (0.0–1.0)").fill("0.5")
    row.get_by_label("Why does the score differ from the progress?").fill("The big deal signed a day late")
    row.get_by_role("button", name="Save score").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.locator(f"#kr-{key_result.pk} .score")).to_have_text(re.compile(r"0\.50 Yellow"))
    expect(page.locator("#objective-lifecycle .lifecycle-summary .score")).to_have_text(
        re.compile(r"0\.60 Yellow")
    )
    expect(page.locator(f"#score-{key_result.pk}")).to_contain_text("The big deal signed a day late")
    screenshot(page, "objective-score-adjusted")
    assert KeyResult.objects.get(pk=key_result.pk).score == Decimal("0.50")
    assert console_errors == []


def test_summary_of_an_open_cycle_is_provisional(live_server, sign_in, console_errors, quarter, viewer_a):
    page = sign_in(viewer_a.user)
    page.goto(f"{live_server.url}{reverse('dashboards:alignment')}?cycle={quarter.cycle.pk}")
    expect(page.get_by_role("link", name=re.compile("Close Q4 2026"))).to_have_count(0)
    page.get_by_role("link", name="Quarter summary (provisional scores)").click()
    expect(page.locator('[data-role="provisional"]')).to_be_visible()
    sales = page.locator(f'tr[data-team="{quarter.sales.pk}"]')
    expect(sales.locator(".mean .score").first).to_have_text(re.compile(r"0\.32 Red \(provisional\)"))
    _assert_chart_drawn(page, '[data-figure="summary-figure"]')
    legend = page.locator('[data-figure="summary-figure"] .legend')
    expect(legend).to_contain_text("Committed: expected 1.0")
    expect(legend).to_contain_text("Aspirational: expected 0.7")
    screenshot(page, "cycle-summary-provisional")
    assert console_errors == []
