"""Filtering, ordering, search and pagination of the list endpoints."""

from datetime import UTC, datetime

import pytest
import time_machine

from okrs.models import KeyResult, Objective
from tests.okrs.factories import CheckInFactory, CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_objectives_filter_by_cycle_team_priority_owner_and_status(as_viewer, tree_a, viewer_a):
    other_cycle = CycleFactory(organization=tree_a["cycle"].organization)
    other = ObjectiveFactory(cycle=other_cycle, owner=viewer_a.user)
    Objective.objects.filter(pk=other.pk).update(status="at_risk")
    assert ids(as_viewer.get("/api/v1/objectives/", {"cycle": other_cycle.pk})) == [other.pk]
    assert ids(as_viewer.get("/api/v1/objectives/", {"team": tree_a["team"].pk})) == [tree_a["objective"].pk]
    assert ids(as_viewer.get("/api/v1/objectives/", {"priority": tree_a["priority"].pk})) == [
        tree_a["objective"].pk
    ]
    assert ids(as_viewer.get("/api/v1/objectives/", {"owner": viewer_a.user.pk})) == [other.pk]
    assert ids(as_viewer.get("/api/v1/objectives/", {"status": "at_risk"})) == [other.pk]


def test_key_results_filter_by_kind_cycle_and_status(as_viewer, tree_a):
    milestone = KeyResultFactory(objective=tree_a["objective"], kind="milestone", target_value=1)
    KeyResult.objects.filter(pk=milestone.pk).update(status="achieved")
    assert ids(as_viewer.get("/api/v1/key-results/", {"kind": "milestone"})) == [milestone.pk]
    assert ids(as_viewer.get("/api/v1/key-results/", {"status": "achieved"})) == [milestone.pk]
    assert len(ids(as_viewer.get("/api/v1/key-results/", {"cycle": tree_a["cycle"].pk}))) == 3


def test_updated_since_returns_only_recent_changes(as_viewer, tree_a):
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC)):
        tree_a["objective"].title = "Changed later"
        tree_a["objective"].save()
    response = as_viewer.get("/api/v1/objectives/", {"updated_since": "2029-12-31T00:00:00Z"})
    assert ids(response) == [tree_a["objective"].pk]


def test_invalid_filter_values_are_400_naming_the_parameter(as_viewer):
    response = as_viewer.get("/api/v1/key-results/", {"kind": "sideways", "updated_since": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"kind", "updated_since"}


def test_ordering_and_search(as_viewer, tree_a):
    ordered = ids(as_viewer.get("/api/v1/objectives/", {"ordering": "-title"}))
    titles = [Objective.objects.get(pk=pk).title for pk in ordered]
    assert titles == sorted(titles, reverse=True)
    assert ids(as_viewer.get("/api/v1/objectives/", {"search": "Child"})) == [tree_a["child"].pk]


def test_check_ins_filter_by_key_result_and_source(as_viewer, tree_a):
    mine = CheckInFactory(key_result=tree_a["key_result"], source="api")
    CheckInFactory(key_result=tree_a["child_key_result"])
    assert ids(as_viewer.get("/api/v1/check-ins/", {"key_result": tree_a["key_result"].pk})) == [mine.pk]
    assert ids(as_viewer.get("/api/v1/check-ins/", {"source": "api"})) == [mine.pk]


def test_pagination(as_viewer, tree_a):
    response = as_viewer.get("/api/v1/objectives/", {"page_size": 1})
    body = response.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert as_viewer.get("/api/v1/objectives/", {"page": 5}).status_code == 404
