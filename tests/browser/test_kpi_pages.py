"""The KPI pages in a real Chromium: when figures were computed, the period in progress, statuses in words."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kpis import services
from kpis.choices import Aggregation, Cadence, MeasurementSource
from tests.browser.conftest import screenshot
from tests.kpis.factories import KpiFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def revenue(admin_a):
    """Monthly revenue, 100 a day at noon UTC from the first day of last month to today."""
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    kpi = KpiFactory(
        organization=admin_a.organization,
        code="revenue",
        name="Revenue",
        cadence=Cadence.MONTHLY,
        aggregation=Aggregation.SUM,
        target=Decimal(10_000),
        warning_threshold=Decimal(100),
        critical_threshold=Decimal(50),
    )
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    moments = [datetime.combine(day, time(12), tzinfo=UTC) for day in days]
    services.measurements_ingest(
        organization=admin_a.organization,
        rows=[
            {"kpi": "revenue", "timestamp": moment.isoformat(), "value": "100"}
            for moment in moments
            if moment <= timezone.now()
        ],
        source=MeasurementSource.API,
    )
    services.kpi_refresh(organization_id=admin_a.organization.pk)
    return kpi


def test_the_scorecard_and_the_kpi_page_show_the_period_in_progress(
    live_server, sign_in, console_errors, revenue, viewer_a
):
    page = sign_in(viewer_a.user)
    page.goto(live_server.url + reverse("dashboards:kpi-scorecard"))
    updated = page.locator("time.updated-at").first
    expect(updated).to_contain_text("updated")
    assert updated.get_attribute("datetime") and updated.get_attribute("title")
    row = page.locator(f'tr[data-kpi="{revenue.pk}"]')
    expect(row.locator(".kpi-in-progress")).to_have_text("in progress")
    expect(row.locator(".kpi-comparison")).to_contain_text("the same span")
    expect(row.locator(".status")).to_contain_text("Below target, within tolerance")
    screenshot(page, "kpi-scorecard-in-progress")

    row.get_by_role("link", name="Revenue").click()
    expect(page.locator("h1")).to_have_text("Revenue")
    expect(page.locator(".kpi-in-progress")).to_be_visible()
    expect(page.locator("time.updated-at")).to_contain_text("updated")
    expect(page.locator('[data-figure="kpi-figure"] svg.main-svg').first).to_be_attached()
    page.goto(live_server.url + reverse("dashboards:overview"))
    expect(page.locator("#kpi-strip-title ~ small time.updated-at")).to_contain_text("updated")
    assert console_errors == []
