"""The insight pages in a real Chromium: forecasts on the charts, guardrails, data quality, initiatives
and the business review, each page loading, drawing and taking its forms."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from insights import services as insight_services
from insights.models import BusinessReview, Initiative
from kpis import services as kpi_services
from kpis.choices import Aggregation, Cadence, GuardrailComparison, MeasurementSource
from okrs import services as okr_services
from tests.browser.conftest import screenshot
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def trace_names(page, figure_id):
    page.wait_for_selector(f'[data-figure="{figure_id}"] svg.main-svg')
    return page.evaluate(
        f"() => document.querySelector('[data-figure=\"{figure_id}\"]').data.map(t => t.name)"
    )


@pytest.fixture
def scene(admin_a):
    """Deals won and closed by month for a year (win rate a formula), a key result with check-ins and a
    guardrail on the average discount, which is past its limit."""
    org = admin_a.organization
    today = timezone.localdate()
    cycle = CycleFactory(organization=org, start=today - timedelta(days=45), end=today + timedelta(days=45))
    objective = ObjectiveFactory(cycle=cycle, owner=admin_a.user, title="Win more of the pipeline")
    key_result = KeyResultFactory(
        objective=objective, owner=admin_a.user, title="Raise the win rate", start_value=Decimal(20),
        target_value=Decimal(30), current_value=Decimal(20),
    )  # fmt: skip
    for days_ago, value in [(30, 22), (20, 24), (10, 25), (2, 27)]:
        moment = timezone.now() - timedelta(days=days_ago)
        okr_services.check_in_create(
            key_result=key_result, value=Decimal(value), confidence=6, checked_in_at=moment
        )
    won = KpiFactory(organization=org, code="deals_won", name="Deals won", cadence=Cadence.MONTHLY)
    KpiFactory(organization=org, code="deals_closed", name="Deals closed", cadence=Cadence.MONTHLY)
    rate = KpiFactory(
        organization=org,
        code="win_rate",
        name="Win rate",
        cadence=Cadence.MONTHLY,
        aggregation=Aggregation.LAST,
        formula="100 * deals_won / deals_closed",
        target=Decimal(30),
    )
    discount = KpiFactory(
        organization=org, code="average_discount", name="Average discount", cadence=Cadence.MONTHLY
    )
    rows = []
    first = (today.replace(day=1) - timedelta(days=330)).replace(day=1)
    for month in range(12):
        moment = datetime(
            first.year + (first.month - 1 + month) // 12,
            (first.month - 1 + month) % 12 + 1,
            5,
            12,
            tzinfo=UTC,
        )
        rows += [
            {"kpi": "deals_won", "timestamp": moment.isoformat(), "value": str(20 + month)},
            {"kpi": "deals_closed", "timestamp": moment.isoformat(), "value": str(90 - month)},
            {"kpi": "average_discount", "timestamp": moment.isoformat(), "value": "18"},
        ]
    kpi_services.measurements_ingest(organization=org, rows=rows, source=MeasurementSource.API)
    kpi_services.kpi_refresh(organization_id=org.pk)
    kpi_services.guardrail_create(
        key_result=key_result, kpi=discount, comparison=GuardrailComparison.AT_MOST, limit=Decimal(15)
    )
    return {"objective": objective, "key_result": key_result, "rate": rate, "won": won, "discount": discount}


def test_the_objective_shows_its_forecast_and_its_breached_guardrail(
    live_server, sign_in, console_errors, scene, admin_a
):
    page = sign_in(admin_a.user)
    page.goto(live_server.url + scene["objective"].get_absolute_url())
    row = page.locator(f"#kr-{scene['key_result'].pk}")
    expect(row.locator('[data-role="guardrail-breach"]')).to_contain_text("Guardrail breached")
    expect(row.locator('[data-role="guardrails"]')).to_contain_text("Average discount")
    expect(row.locator('[data-role="forecast"]')).to_contain_text("Forecast")
    expect(page.locator('#objective-summary [data-role="forecast"]')).to_contain_text("%")
    expect(page.locator('[data-role="movers"]')).to_be_visible()
    names = trace_names(page, "objective-figure")
    assert "Forecast" in names and "80 % interval" in names
    screenshot(page, "objective-forecast-guardrail")
    page.goto(live_server.url + reverse("dashboards:overview"))
    expect(page.locator("#guardrails")).to_contain_text("Raise the win rate")
    expect(page.locator("#trends")).to_contain_text("Win rate")
    assert console_errors == []


def test_the_kpi_page_draws_the_forecast_and_splits_the_change(
    live_server, sign_in, console_errors, scene, admin_a
):
    insight_services.initiative_create(
        organization=admin_a.organization, title="Deal desk", owner=admin_a.user,
        start=timezone.localdate() - timedelta(days=60), end=timezone.localdate() - timedelta(days=20),
        kpis=[scene["rate"]],
    )  # fmt: skip
    page = sign_in(admin_a.user)
    page.goto(live_server.url + reverse("dashboards:kpi-detail", args=[scene["rate"].pk]))
    expect(page.locator('[data-role="forecast"]')).to_contain_text("chance of meeting the target")
    split = page.locator('[data-role="contributions"]')
    expect(split).to_contain_text("Deals won")
    expect(split).to_contain_text("Deals closed")
    names = trace_names(page, "kpi-figure")
    assert "Forecast" in names
    shapes = page.evaluate(
        "() => document.querySelector('[data-figure=\"kpi-figure\"]')"
        ".layout.shapes.map(s => s.label && s.label.text)"
    )
    assert "Deal desk" in shapes
    expect(page.locator('[data-role="quality"]').first).to_contain_text("Data quality")
    screenshot(page, "kpi-forecast-contributions")
    assert console_errors == []


def test_the_data_quality_page_lists_kpis_worst_first(live_server, sign_in, console_errors, scene, admin_a):
    leads = KpiFactory(organization=admin_a.organization, code="leads", name="Leads", cadence=Cadence.DAILY)
    type(leads).objects.filter(pk=leads.pk).update(created_at=timezone.now() - timedelta(days=10))
    kpi_services.kpi_refresh(organization_id=admin_a.organization.pk, full=True)
    page = sign_in(admin_a.user)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Data quality").first.click()
    expect(page.locator("h1")).to_have_text("Data quality")
    expect(page.locator('[data-role="organization-quality"]')).to_contain_text("%")
    rows = page.locator('[data-role="quality-table"] tbody tr')
    expect(rows.first).to_contain_text("Leads")  # never measured: the worst
    expect(rows.first).to_contain_text("No recent measurement")
    screenshot(page, "data-quality")
    assert console_errors == []


def test_an_initiative_is_created_from_its_form_and_compared(
    live_server, sign_in, console_errors, scene, admin_a
):
    page = sign_in(admin_a.user)
    page.goto(live_server.url + reverse("insights:initiative-list"))
    page.get_by_role("button", name="New initiative").first.click()
    page.get_by_label("Title").fill("Discount desk")
    start = timezone.localdate() - timedelta(days=100)
    page.get_by_label("Start").fill(start.isoformat())
    page.get_by_label("End").fill((start + timedelta(days=60)).isoformat())
    page.get_by_label("KPIs").select_option(label=str(scene["won"]))
    page.get_by_role("button", name="Create initiative").click()
    expect(page.locator("h1")).to_have_text("Discount desk")
    impacts = page.locator('[data-role="impacts"]')
    expect(impacts).to_contain_text("Deals won")
    initiative = Initiative.objects.get()
    assert list(initiative.kpis.all()) == [scene["won"]]
    impact = initiative.impacts.get()
    assert impact.before_periods >= 1 and impact.during_periods >= 1
    page.get_by_role("button", name="Edit initiative").click()
    expect(page.get_by_label("Title")).to_have_value("Discount desk")
    page.get_by_role("button", name="Save initiative").click()
    expect(page.locator(".flash")).to_contain_text("Initiative saved")
    assert console_errors == []


def test_a_review_is_prepared_held_and_closed(live_server, sign_in, console_errors, scene, admin_a):
    page = sign_in(admin_a.user)
    page.goto(live_server.url + reverse("insights:review-list"))
    page.get_by_role("button", name="Prepare the review").click()
    expect(page.locator("h1")).to_contain_text("Business review")
    expect(page.locator('[data-section="guardrails"]')).to_contain_text("Average discount")
    page.get_by_role("textbox", name="Notes").fill("Discounts above the limit in every region.")
    page.get_by_role("textbox", name="Decisions").fill("Deal desk approves anything above 15 %.")
    page.get_by_role("button", name="Save notes and decisions").click()
    notes = page.get_by_role("textbox", name="Notes")
    expect(notes).to_have_value("Discounts above the limit in every region.")
    page.get_by_role("button", name="Add an action item").click()
    page.get_by_role("textbox", name="Action", exact=True).fill("Set up the deal desk")
    page.get_by_label("Due date").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator("#action-items")).to_contain_text("Set up the deal desk")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("button", name="Mark done").click()
    expect(page.locator("#action-items")).to_contain_text("Done")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Close the review").click()
    expect(page.locator(".flash")).to_contain_text("Review closed")
    review = BusinessReview.objects.get()
    assert review.state == "closed" and review.decisions.startswith("Deal desk")
    assert review.action_items.get().done_at is not None
    screenshot(page, "business-review")
    assert console_errors == []
