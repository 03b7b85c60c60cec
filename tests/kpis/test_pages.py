"""The pages that show KPI figures: when they were computed, periods in progress and what statuses mean."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kpis import services
from kpis.choices import Aggregation, Cadence, MeasurementSource, RunState
from kpis.models import KpiRun
from tests.accounts.factories import TeamFactory
from tests.kpis.factories import KpiFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def revenue(admin_a, clock):
    """Monthly revenue of organization A (Madrid): 100 a day at noon local time, every day of October
    and November 1–23."""
    organization = admin_a.organization
    organization.time_zone = "Europe/Madrid"
    organization.save()
    kpi = KpiFactory(
        organization=organization,
        code="revenue",
        name="Revenue",
        cadence=Cadence.MONTHLY,
        aggregation=Aggregation.SUM,
        target=Decimal(3000),
        warning_threshold=Decimal(2000),
        critical_threshold=Decimal(1000),
        team=TeamFactory(organization=organization),
    )
    days = [date(2026, 10, 1) + timedelta(days=n) for n in range(54)]
    services.measurements_ingest(
        organization=organization,
        rows=[{"kpi": "revenue", "timestamp": f"{day}T12:00:00", "value": "100"} for day in days],
        source=MeasurementSource.API,
    )
    assert services.kpi_refresh(organization_id=organization.pk).state == RunState.SUCCEEDED
    return kpi


def pages(kpi) -> dict[str, str]:
    return {
        "scorecard": reverse("dashboards:kpi-scorecard"),
        "kpi": reverse("dashboards:kpi-detail", args=[kpi.pk]),
        "overview": reverse("dashboards:overview"),
        "team": reverse("dashboards:team-detail", args=[kpi.team_id]),
    }


@pytest.mark.parametrize("page", ["scorecard", "kpi", "overview", "team"])
def test_pages_with_kpi_figures_say_when_they_were_computed(client, viewer_a, revenue, clock, page):
    finished = KpiRun.objects.get().finished_at
    # Later runs that did not compute anything, or of another organization, do not count.
    KpiRun.objects.create(organization=viewer_a.organization, state=RunState.FAILED, finished_at=NOW)
    KpiRun.objects.create(organization=viewer_a.organization, state=RunState.SKIPPED, finished_at=NOW)
    other = KpiFactory().organization
    KpiRun.objects.create(
        organization=other, state=RunState.SUCCEEDED, finished_at=NOW + timedelta(seconds=30)
    )
    clock.shift(timedelta(seconds=40))
    client.force_login(viewer_a.user)
    content = client.get(pages(revenue)[page]).content.decode()
    iso = timezone.localtime(finished).isoformat()
    assert f'<time class="updated-at muted" datetime="{iso}"' in content
    assert "updated 40\xa0seconds ago</time>" in content


def test_the_scorecard_marks_the_period_in_progress_and_compares_the_same_span(client, viewer_a, revenue):
    client.force_login(viewer_a.user)
    content = client.get(reverse("dashboards:kpi-scorecard")).content.decode()
    row = re.search(rf'<tr data-kpi="{revenue.pk}">(.*?)</tr>', content, re.S).group(1)
    assert "Nov 1, 2026 · <span" in row and "in progress</span>" in row
    # November 1–23 (2,300) against October 1–23 (2,300), not against the whole of October (3,100).
    assert "unchanged" in row and "worse" not in row
    assert "vs Oct 1 – Oct 23, 12:00, the same span" in row
    assert "Below target, within tolerance" in row and "Green" not in row


def test_a_kpi_page_compares_a_finished_period_with_the_whole_period_before(client, viewer_a, revenue, clock):
    clock.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    services.kpi_refresh(organization_id=revenue.organization_id)
    clock.shift(timedelta(minutes=2))
    client.force_login(viewer_a.user)
    content = client.get(reverse("dashboards:kpi-detail", args=[revenue.pk])).content.decode()
    assert "in progress" not in content
    assert "vs Oct 1 – Oct 31, 2026" in content
    assert "800" in content and "worse" in content
    assert "updated 2\xa0minutes ago" in content


def test_a_kpi_without_a_target_says_which_threshold_it_passed(client, viewer_a, revenue):
    revenue.target = None
    revenue.save()
    services.kpi_refresh(organization_id=revenue.organization_id, full=True)
    client.force_login(viewer_a.user)
    content = client.get(reverse("dashboards:kpi-detail", args=[revenue.pk])).content.decode()
    assert "At or above the warning threshold" in content
