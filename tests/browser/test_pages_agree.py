"""The pages agree with themselves in a real Chromium: alignment sections, slipping key results, weights."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from okrs import services
from okrs.choices import ObjectiveState
from tests.browser.conftest import screenshot
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cascade(admin_a, editor_a):
    organization, owner = admin_a.organization, editor_a.user
    today = timezone.localdate()
    cycle = CycleFactory(
        organization=organization, start=today - timedelta(days=59), end=today + timedelta(days=40)
    )
    revenue = PriorityFactory(organization=organization, title="Revenue", order=1)
    retention = PriorityFactory(organization=organization, title="Retention", order=2)
    grow = ObjectiveFactory(cycle=cycle, owner=owner, title="Grow revenue", priority=revenue)
    expand = ObjectiveFactory(
        cycle=cycle, owner=owner, title="Expand accounts", priority=retention, parent=grow
    )
    ObjectiveFactory(
        cycle=cycle, owner=owner, title="Win-back pilot", priority=retention, state=ObjectiveState.DRAFT
    )
    KeyResultFactory(objective=grow, owner=owner, title="Pipeline coverage", weight=Decimal(3))
    KeyResultFactory(objective=grow, owner=owner, title="New logos", weight=Decimal(2))
    checked = KeyResultFactory(objective=expand, owner=owner, title="Upsell revenue")
    services.check_in_create(key_result=checked, value=Decimal(50), confidence=6, author=owner)
    services.progress_recompute(organization_id=organization.pk)
    return cycle, revenue, retention, grow


def test_alignment_draws_a_child_under_both_priorities(
    live_server, sign_in, console_errors, cascade, viewer_a
):
    cycle, revenue, retention, grow = cascade
    page = sign_in(viewer_a.user)
    page.goto(f"{live_server.url}{reverse('dashboards:alignment')}?cycle={cycle.pk}")
    retention_section = page.locator(f"#priority-{retention.pk}")
    expect(retention_section).not_to_contain_text("No objective serves this priority yet")
    expect(retention_section).to_contain_text("1 objective counted")
    child = retention_section.locator(".tree-objective").filter(has_text="Expand accounts").first
    expect(child).to_contain_text("under Grow revenue")
    expect(retention_section.locator(".tree-objective").filter(has_text="Win-back pilot")).to_contain_text(
        "Draft: not counted yet"
    )
    under_parent = page.locator(f"#priority-{revenue.pk} .tree-children .tree-objective").first
    expect(under_parent).to_contain_text("Expand accounts")
    under_parent.get_by_role("link", name="Retention").click()
    expect(page).to_have_url(
        f"{live_server.url}{reverse('dashboards:alignment')}?cycle={cycle.pk}#priority-{retention.pk}"
    )
    screenshot(page, "alignment-child-under-both-priorities")
    assert console_errors == []


def test_overview_lists_a_key_result_behind_without_a_check_in(live_server, sign_in, cascade, viewer_a):
    cycle = cascade[0]
    page = sign_in(viewer_a.user)
    page.goto(f"{live_server.url}{reverse('dashboards:overview')}?cycle={cycle.pk}")
    slipping = page.locator("section[aria-labelledby=slipping-title] tbody tr")
    expect(slipping.first).to_contain_text("Pipeline coverage")
    expect(slipping.filter(has_text="New logos")).to_contain_text("no check-in yet")
    expect(page.locator(".page-head time.updated-at")).to_contain_text("updated")
    screenshot(page, "overview-slipping")


def test_objective_page_shows_weights(live_server, sign_in, cascade, viewer_a):
    grow = cascade[3]
    page = sign_in(viewer_a.user)
    page.goto(live_server.url + grow.get_absolute_url())
    weights = page.locator(".kr-weights")
    expect(weights).to_contain_text("Pipeline coverage · weight 3 (60 %)")
    expect(weights).to_contain_text("New logos · weight 2 (40 %)")
    expect(page.locator("#objective-summary time.updated-at")).to_be_visible()
