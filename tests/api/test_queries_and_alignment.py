"""Fixed SQL query counts for every list endpoint at two sizes, and the alignment tree."""

import pytest

from okrs.models import RollUp
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import (
    CheckInFactory,
    CycleFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PriorityFactory,
)

pytestmark = pytest.mark.django_db


def populate(organization, owner, size):
    """`size` objects of every kind in one cycle of `organization`."""
    cycle = CycleFactory(organization=organization)
    for index in range(size):
        team = TeamFactory(organization=organization, parent=None, lead=owner)
        priority = PriorityFactory(organization=organization, owner=owner)
        parent = ObjectiveFactory(cycle=cycle, team=team, priority=priority, owner=owner)
        child = ObjectiveFactory(cycle=cycle, parent=parent, owner=owner)
        for objective in (parent, child):
            key_result = KeyResultFactory(objective=objective, owner=owner)
            CheckInFactory(key_result=key_result, author=owner)
        CycleFactory(organization=organization, name=f"Extra cycle {index}")
    return cycle


# membership, count, rows (+ one prefetch for the key results of objectives)
LIST_QUERIES = {
    "/api/v1/teams/": 3,
    "/api/v1/cycles/": 3,
    "/api/v1/priorities/": 3,
    "/api/v1/objectives/": 4,
    "/api/v1/key-results/": 4,  # membership, count, key results, their guardrails
    "/api/v1/check-ins/": 3,
}


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_list_endpoints_run_constant_queries(api_client, admin_a, url, size, django_assert_num_queries):
    populate(admin_a.organization, admin_a.user, size)
    api_client.force_authenticate(admin_a.user)
    with django_assert_num_queries(LIST_QUERIES[url]):
        response = api_client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= size


@pytest.mark.parametrize("size", [1, 8])
def test_alignment_runs_constant_queries(api_client, admin_a, size, django_assert_num_queries):
    cycle = populate(admin_a.organization, admin_a.user, size)
    api_client.force_authenticate(admin_a.user)
    # membership, cycle, objectives, key results, roll-ups, priorities
    with django_assert_num_queries(6):
        response = api_client.get("/api/v1/alignment/", {"cycle": cycle.pk})
    assert response.status_code == 200
    priorities = response.json()["priorities"]
    assert sum(len(p["objectives"]) for p in priorities) == size
    assert all(len(o["children"]) == 1 for p in priorities for o in p["objectives"])


def test_alignment_tree_shape(as_viewer, tree_a, tree_b):
    RollUp.objects.create(
        cycle=tree_a["cycle"], priority=tree_a["priority"], progress="0.4000", status="on_track"
    )
    unaligned = ObjectiveFactory(cycle=tree_a["cycle"], owner=tree_a["objective"].owner, title="Loose")
    response = as_viewer.get("/api/v1/alignment/", {"cycle": tree_a["cycle"].pk})
    assert response.status_code == 200
    body = response.json()
    assert body["cycle"]["id"] == tree_a["cycle"].pk
    [priority] = body["priorities"]
    assert priority["id"] == tree_a["priority"].pk
    assert priority["progress"] == "0.4000" and priority["status"] == "on_track"
    [objective] = priority["objectives"]
    assert objective["id"] == tree_a["objective"].pk
    assert [kr["id"] for kr in objective["key_results"]] == [tree_a["key_result"].pk]
    [child] = objective["children"]
    assert child["id"] == tree_a["child"].pk
    assert [kr["id"] for kr in child["key_results"]] == [tree_a["child_key_result"].pk]
    # The child serves no priority: it is drawn under its parent and listed as unaligned too.
    assert [o["id"] for o in body["unaligned"]] == [tree_a["child"].pk, unaligned.pk]


def test_alignment_defaults_to_the_current_cycle(as_viewer, tree_a):
    response = as_viewer.get("/api/v1/alignment/")
    assert response.status_code == 200
    assert response.json()["cycle"]["id"] == tree_a["cycle"].pk


def test_alignment_of_another_organization_cycle_is_404(as_viewer, tree_a, tree_b):
    response = as_viewer.get("/api/v1/alignment/", {"cycle": tree_b["cycle"].pk})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_alignment_without_cycles_is_404_with_a_reason(as_viewer):
    response = as_viewer.get("/api/v1/alignment/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Your organization has no cycle yet."


def test_alignment_rejects_a_malformed_cycle(as_viewer, tree_a):
    response = as_viewer.get("/api/v1/alignment/", {"cycle": "first"})
    assert response.status_code == 400
    assert "cycle" in response.json()["fields"]


def test_alignment_unauthenticated_is_401(api_client):
    assert api_client.get("/api/v1/alignment/").status_code == 401
