"""The alignment page: each priority lists exactly the objectives its roll-up counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors
from okrs import services
from okrs.choices import ROLLUP_STATES, ObjectiveState
from okrs.models import Objective, RollUp
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cascade(admin_a):
    """Two priorities; a child objective serves another priority than its parent; a draft; an unaligned child.

    Grow revenue (Revenue)
    ├── Expand accounts (Retention)      ← counted by Retention, drawn under its parent too
    │   └── Renewal playbook (Retention) ← counted by Retention, drawn under Expand accounts
    └── Clean the CRM (no priority)
    Win-back pilot (Retention, draft)    ← shown under Retention, not counted
    """
    organization, owner = admin_a.organization, admin_a.user
    today = timezone.localdate()
    cycle = CycleFactory(
        organization=organization, start=today - timedelta(days=40), end=today + timedelta(days=50)
    )
    revenue = PriorityFactory(organization=organization, title="Revenue", order=1)
    retention = PriorityFactory(organization=organization, title="Retention", order=2)

    def objective(title, priority, parent=None, state=ObjectiveState.ACTIVE):
        made = ObjectiveFactory(
            cycle=cycle, owner=owner, title=title, priority=priority, parent=parent, state=state
        )
        KeyResultFactory(objective=made, owner=owner)
        return made

    grow = objective("Grow revenue", revenue)
    expand = objective("Expand accounts", retention, parent=grow)
    objective("Renewal playbook", retention, parent=expand)
    objective("Clean the CRM", None, parent=grow)
    objective("Win-back pilot", retention, state=ObjectiveState.DRAFT)
    services.progress_recompute(organization_id=organization.pk)
    return cycle, revenue, retention


def _titles(nodes) -> list[str]:
    return [node.objective.title for node in nodes]


def _rollup_counts(cycle, priority) -> set[int]:
    """What the roll-up counts, by its own rule: active and closed objectives aligned to the priority."""
    return set(
        Objective.objects.filter(cycle=cycle, priority=priority, state__in=ROLLUP_STATES).values_list(
            "pk", flat=True
        )
    )


def test_each_priority_lists_exactly_what_its_rollup_counts(admin_a, cascade):
    cycle, revenue, retention = cascade
    tree = selectors.alignment_nodes(organization=admin_a.organization, cycle=cycle)
    assert [node.priority for node in tree] == [revenue, retention, None]
    for node in tree[:2]:
        counted = node.counted_objectives()
        rollup = RollUp.objects.get(cycle=cycle, priority=node.priority)
        assert {o.pk for o in counted} == _rollup_counts(cycle, node.priority)
        assert len(counted) == rollup.objective_count == node.rollup.objective_count


def test_child_serving_another_priority_is_drawn_under_both_and_marked(admin_a, cascade):
    cycle, revenue, retention = cascade
    by_priority = {
        node.priority: node
        for node in selectors.alignment_nodes(organization=admin_a.organization, cycle=cycle)
    }
    [grow] = by_priority[revenue].objectives
    assert _titles(grow.children) == ["Expand accounts", "Clean the CRM"]
    expand_under_parent = grow.children[0]
    assert not expand_under_parent.serves_section and not expand_under_parent.counts_in_rollup
    assert _titles(expand_under_parent.children) == ["Renewal playbook"]

    # Under its own priority the child stands at the top, says which parent it cascades from, and
    # keeps its own child (same priority) nested rather than repeated.
    expand, pilot = by_priority[retention].objectives
    assert expand.objective.title == "Expand accounts" and expand.parent_elsewhere.title == "Grow revenue"
    assert _titles(expand.children) == ["Renewal playbook"] and expand.children[0].counts_in_rollup
    assert pilot.objective.title == "Win-back pilot" and not pilot.counts_in_rollup and pilot.serves_section

    [clean] = by_priority[None].objectives
    assert clean.objective.title == "Clean the CRM" and clean.parent_elsewhere.title == "Grow revenue"


def test_alignment_page_sections_agree_with_their_rollups(client, admin_a, cascade):
    cycle, revenue, retention = cascade
    client.force_login(admin_a.user)
    content = client.get(reverse("dashboards:alignment"), {"cycle": cycle.pk}).content.decode()
    sections = dict(
        re.findall(r'<section class="tree-priority" id="([\w-]+)">(.*?)</section>', content, re.S)
    )
    for priority in (revenue, retention):
        section = sections[f"priority-{priority.pk}"]
        counted = {int(pk) for pk in re.findall(r'data-objective="(\d+)" data-counted="true"', section)}
        assert counted == _rollup_counts(cycle, priority)
        assert "No objective serves this priority yet" not in section
    retention_section = sections[f"priority-{retention.pk}"]
    assert (
        "Expand accounts" in retention_section and "Grow revenue" in retention_section
    )  # "under Grow revenue"
    assert "Draft: not counted yet" in retention_section
    assert "2 objectives counted" in retention_section
    revenue_section = sections[f"priority-{revenue.pk}"]
    assert "also serves" in revenue_section and "not aligned to a priority" in revenue_section
    assert "Clean the CRM" in sections["unaligned"]


def test_inactive_priority_keeps_its_section_while_objectives_serve_it(admin_a, cascade):
    cycle, revenue, retention = cascade
    retention.active = False
    retention.save()
    PriorityFactory(organization=admin_a.organization, title="Retired and empty", active=False)
    tree = selectors.alignment_nodes(organization=admin_a.organization, cycle=cycle)
    assert [node.priority for node in tree] == [revenue, retention, None]
    assert tree[1].counted_objectives() and tree[1].rollup is not None


def test_filter_hiding_the_parent_still_shows_the_child_under_its_priority(admin_a, editor_a, cascade):
    cycle, revenue, retention = cascade
    Objective.objects.filter(title="Expand accounts").update(owner=editor_a.user)
    tree = selectors.alignment_nodes(
        organization=admin_a.organization, cycle=cycle, owner_id=editor_a.user.pk
    )
    assert [(node.priority, _titles(node.objectives)) for node in tree] == [(retention, ["Expand accounts"])]
