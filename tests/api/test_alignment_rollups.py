"""The API's alignment tree lists under each priority exactly the objectives its roll-up counts."""

import pytest

from okrs import services
from okrs.choices import ObjectiveState, Status
from okrs.models import RollUp
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def _listed(nodes, priority_id):
    """Objectives of a section that serve its priority: the heads and their descendants serving it too."""
    found = []
    for node in nodes:
        if node["priority"] == priority_id:
            found.append(node["id"])
        found += _listed(node["children"], priority_id)
    return found


def test_a_child_serving_another_priority_is_listed_under_it_as_its_rollup_counts(as_viewer, viewer_a):
    organization = viewer_a.organization
    cycle = CycleFactory(organization=organization)
    revenue = PriorityFactory(organization=organization)
    retention = PriorityFactory(organization=organization)
    parent = ObjectiveFactory(cycle=cycle, priority=revenue, title="Parent")
    child = ObjectiveFactory(cycle=cycle, priority=retention, parent=parent, title="Child")
    same = ObjectiveFactory(cycle=cycle, priority=revenue, parent=parent, title="Same priority child")
    loose_child = ObjectiveFactory(cycle=cycle, priority=None, parent=parent, title="Unaligned child")
    draft = ObjectiveFactory(cycle=cycle, priority=retention, state=ObjectiveState.DRAFT, title="Draft")
    for objective in (parent, child, same):
        KeyResultFactory(objective=objective)
    services.progress_refresh(cycle_ids=[cycle.pk])

    body = as_viewer.get("/api/v1/alignment/", {"cycle": cycle.pk}).json()

    sections = {p["id"]: p for p in body["priorities"]}
    for priority in (revenue, retention):
        rollup = RollUp.objects.get(cycle=cycle, priority=priority)
        listed = _listed(sections[priority.pk]["objectives"], priority.pk)
        counted = [o for o in listed if o != draft.pk]
        assert len(counted) == rollup.objective_count
        assert rollup.status != Status.NOT_STARTED or counted
    assert sorted(_listed(sections[revenue.pk]["objectives"], revenue.pk)) == sorted([parent.pk, same.pk])
    assert sorted(_listed(sections[retention.pk]["objectives"], retention.pk)) == sorted([child.pk, draft.pk])
    # The child is still drawn under its parent, and the unaligned child is listed as unaligned.
    [head] = sections[revenue.pk]["objectives"]
    assert {c["id"] for c in head["children"]} == {child.pk, same.pk, loose_child.pk}
    assert [o["id"] for o in body["unaligned"]] == [loose_child.pk]
