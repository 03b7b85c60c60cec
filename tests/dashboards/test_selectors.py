"""dashboards.selectors against the real database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import selectors
from kpis.choices import KpiStatus
from okrs import services
from okrs.choices import CycleState, Status
from tests.dashboards.builders import kpi_build
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def test_cycle_choice_prefers_the_asked_then_the_active_then_the_latest(org_a, org_b):
    old = CycleFactory(
        organization=org_a, start=date(2026, 1, 1), end=date(2026, 3, 31), state=CycleState.CLOSED
    )
    active = CycleFactory(organization=org_a, start=date(2026, 4, 1), end=date(2026, 6, 30))
    planned = CycleFactory(
        organization=org_a, start=date(2026, 7, 1), end=date(2026, 9, 30), state=CycleState.PLANNING
    )
    foreign = CycleFactory(organization=org_b)
    assert selectors.cycle_choice(organization=org_a, cycle_id=old.pk).selected == old
    assert selectors.cycle_choice(organization=org_a).selected == active
    assert selectors.cycle_choice(organization=org_a, cycle_id=foreign.pk).selected == active
    assert selectors.cycle_choice(organization=org_a).cycles == [planned, active, old]
    active.state = CycleState.CLOSED
    active.save()
    assert selectors.cycle_choice(organization=org_a).selected == planned
    assert selectors.cycle_choice(organization=org_b).cycles == [foreign]


def test_cycle_choice_without_cycles(org_a):
    choice = selectors.cycle_choice(organization=org_a)
    assert choice.cycles == [] and choice.selected is None


def test_status_counts_follow_the_order_of_the_statuses():
    counts = selectors.status_counts({"off_track": 1, "on_track": 3, "stale": 0})
    assert [(status, count) for status, _, count in counts] == [("on_track", 3), ("off_track", 1)]


def test_alignment_nodes_keep_a_child_whose_parent_is_filtered_out(admin_a, editor_a):
    cycle = CycleFactory(organization=admin_a.organization)
    priority = PriorityFactory(organization=admin_a.organization, title="Grow")
    PriorityFactory(organization=admin_a.organization, title="Empty", order=1)
    parent = ObjectiveFactory(cycle=cycle, owner=admin_a.user, priority=priority, title="Parent")
    child = ObjectiveFactory(
        cycle=cycle, owner=editor_a.user, priority=priority, parent=parent, title="Child"
    )
    unaligned = ObjectiveFactory(cycle=cycle, owner=editor_a.user, title="Unaligned")
    KeyResultFactory(objective=child, owner=editor_a.user)

    full = selectors.alignment_nodes(organization=admin_a.organization, cycle=cycle)
    assert [node.priority.title if node.priority else None for node in full] == ["Grow", "Empty", None]
    assert [n.objective for n in full[0].objectives] == [parent]
    assert [n.objective for n in full[0].objectives[0].children] == [child]
    assert [n.objective for n in full[2].objectives] == [unaligned]

    filtered = selectors.alignment_nodes(
        organization=admin_a.organization, cycle=cycle, owner_id=editor_a.user.pk
    )
    # Priorities without a match are left out when filtering; the child stands under its priority.
    assert [node.priority.title if node.priority else None for node in filtered] == ["Grow", None]
    assert [n.objective for n in filtered[0].objectives] == [child]


def test_alignment_nodes_keep_objectives_of_an_inactive_priority(admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    retired = PriorityFactory(organization=admin_a.organization, active=False)
    objective = ObjectiveFactory(cycle=cycle, owner=admin_a.user, priority=retired)
    tree = selectors.alignment_nodes(organization=admin_a.organization, cycle=cycle)
    assert [n.objective for node in tree for n in node.objectives] == [objective]


def test_kpi_strip_counts_statuses_and_shows_the_worst_first(org_a):
    kpi_build(org_a, code="a", name="Green one", values=(Decimal(1),), statuses=(KpiStatus.GREEN,))
    kpi_build(org_a, code="b", name="Red one", values=(Decimal(1),), statuses=(KpiStatus.RED,))
    kpi_build(org_a, code="c", name="Amber one", values=(Decimal(1),), statuses=(KpiStatus.AMBER,))
    kpi_build(org_a, code="d", name="Archived", values=(Decimal(1),), statuses=(KpiStatus.RED,), active=False)
    strip = selectors.kpi_strip(organization=org_a, size=2)
    assert strip.total == 3
    assert [kpi.name for kpi in strip.kpis] == ["Red one", "Amber one"]
    assert [(status, count) for status, _, count in strip.counts] == [("green", 1), ("amber", 1), ("red", 1)]


def test_kpi_scorecard_takes_the_newest_period_as_latest(org_a):
    kpi_build(org_a, code="win_rate", name="Win rate")
    [group] = selectors.kpi_scorecard(organization=org_a)
    [kpi] = group.kpis
    assert kpi.latest.period_start == date(2026, 10, 1) and kpi.latest.value == Decimal(18)
    assert [v.value for v in kpi.recent_values] == [Decimal(18), Decimal(24), Decimal(20)]


def test_slipping_includes_key_results_behind_without_a_check_in_worst_first(admin_a):
    organization, owner = admin_a.organization, admin_a.user
    today = timezone.localdate()
    cycle = CycleFactory(
        organization=organization, start=today - timedelta(days=59), end=today + timedelta(days=40)
    )
    objective = ObjectiveFactory(cycle=cycle, owner=owner)

    def key_result(title, check_in=None, **fields):
        made = KeyResultFactory(objective=objective, owner=owner, title=title, **fields)
        if check_in is not None:
            services.check_in_create(key_result=made, value=Decimal(check_in), confidence=5, author=owner)
        return made

    key_result("Never checked in, at 0", current_value=Decimal(0))
    key_result("Never checked in, close enough", current_value=Decimal(55))
    key_result("At risk", check_in=40)
    key_result("On track", check_in=55)
    key_result("Off track", check_in=10)
    services.progress_recompute(organization_id=organization.pk)

    slipping = selectors.slipping_key_results(organization=organization, cycle=cycle)
    assert [kr.title for kr in slipping] == ["Never checked in, at 0", "Off track", "At risk"]
    assert slipping[0].status == Status.NOT_STARTED and slipping[0].expected_progress > Decimal("0.55")
    assert selectors.overview(organization=organization, cycle=cycle).slipping == slipping


def test_not_started_key_result_within_the_on_track_margin_is_not_slipping(admin_a):
    today = timezone.localdate()
    cycle = CycleFactory(
        organization=admin_a.organization, start=today - timedelta(days=5), end=today + timedelta(days=85)
    )
    KeyResultFactory(objective=ObjectiveFactory(cycle=cycle, owner=admin_a.user), owner=admin_a.user)
    services.progress_recompute(organization_id=admin_a.organization.pk)
    assert selectors.slipping_key_results(organization=admin_a.organization, cycle=cycle) == []


def test_weight_shares_split_the_objectives_progress(admin_a):
    objective = ObjectiveFactory(cycle=CycleFactory(organization=admin_a.organization), owner=admin_a.user)
    heavy = KeyResultFactory(objective=objective, owner=admin_a.user, weight=Decimal(3))
    light = KeyResultFactory(objective=objective, owner=admin_a.user, weight=Decimal(2))
    selectors.with_weight_shares([heavy, light])
    assert (heavy.weight_share, light.weight_share) == (Decimal("0.6"), Decimal("0.4"))
    heavy.weight = light.weight = Decimal(0)
    assert [kr.weight_share for kr in selectors.with_weight_shares([heavy, light])] == [None, None]
