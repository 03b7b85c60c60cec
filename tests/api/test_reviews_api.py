"""Stakeholder review in the API: reviews, reviewers, submit-review and review on /api/v1/objectives/{id}/."""

import pytest

from okrs.choices import ObjectiveState
from okrs.models import Objective, ReviewDecision
from okrs.services import reviews
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(admin_a, editor_a):
    organization = admin_a.organization
    organization.review_required = True
    organization.save()
    objective = ObjectiveFactory(
        cycle=CycleFactory(organization=organization), owner=editor_a.user, state=ObjectiveState.DRAFT
    )
    KeyResultFactory(objective=objective, owner=editor_a.user, title="Pipeline", target_value=200)
    return objective


@pytest.fixture
def in_review(draft, admin_a, viewer_a, editor_a):
    reviews.objective_reviewers_set(objective=draft, reviewers=[(viewer_a.user, True), (admin_a.user, True)])
    reviews.objective_review_submit(objective=draft, user=editor_a.user)
    return draft


def url(objective, action):
    return f"/api/v1/objectives/{objective.pk}/{action}/"


# GET reviews ---------------------------------------------------------------------------------------------


def test_reviews_lists_reviewers_their_standing_and_decisions(as_viewer, in_review, admin_a, viewer_a):
    reviews.objective_review_decide(
        objective=in_review, user=admin_a.user, decision="approve", comment="Fine"
    )
    response = as_viewer.get(url(in_review, "reviews"))
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "in_review"
    assert body["review_required"] is True
    assert body["complete"] is False
    assert body["waiting_for"] == [viewer_a.user.pk]
    assert {(r["user"], r["standing"]) for r in body["reviewers"]} == {
        (admin_a.user.pk, "approved"),
        (viewer_a.user.pk, "pending"),
    }
    [decision] = body["decisions"]
    assert decision["reviewer"] == admin_a.user.pk
    assert decision["decision"] == "approve"
    assert decision["comment"] == "Fine"
    assert decision["version"]["key_results"][0]["title"] == "Pipeline"
    assert decision["version"]["key_results"][0]["target_value"] == "200"
    assert decision["round"] == body["open_round"]["id"]


@pytest.mark.parametrize("size", [1, 6])
def test_reviews_runs_a_fixed_number_of_queries(as_admin, draft, admin_a, size, django_assert_num_queries):
    from tests.accounts.factories import MembershipFactory

    people = [MembershipFactory(organization=admin_a.organization).user for _ in range(size)]
    reviews.objective_reviewers_set(objective=draft, reviewers=[(p, True) for p in people])
    with django_assert_num_queries(6):  # membership, objective, key results, reviewers, open round, decisions
        response = as_admin.get(url(draft, "reviews"))
    assert response.status_code == 200
    assert len(response.json()["reviewers"]) == size


def test_reviews_needs_authentication(api_client, draft):
    assert api_client.get(url(draft, "reviews")).status_code == 401


def test_another_organizations_reviews_are_not_found(as_admin, tree_b):
    response = as_admin.get(url(tree_b["objective"], "reviews"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# PUT reviewers -------------------------------------------------------------------------------------------


def test_editor_sets_a_drafts_reviewers(as_editor, draft, viewer_a, admin_a):
    body = {"reviewers": [{"user": viewer_a.user.pk}, {"user": admin_a.user.pk, "required": False}]}
    response = as_editor.put(url(draft, "reviewers"), body, format="json")
    assert response.status_code == 200
    assert {(r["user"], r["required"]) for r in response.json()["reviewers"]} == {
        (viewer_a.user.pk, True),
        (admin_a.user.pk, False),
    }


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reviewers": [{"user": "owner"}]}, "reviewers"),
        ({"reviewers": [{"user": "member_b"}]}, "reviewers"),
        ({"reviewers": [{"user": "viewer", "extra": 1}]}, "reviewers"),
        ({"people": []}, "people"),
    ],
)
def test_reviewers_validation(as_editor, draft, editor_a, viewer_a, member_b, body, field):
    ids = {"owner": editor_a.user.pk, "member_b": member_b.user.pk, "viewer": viewer_a.user.pk}
    for row in body.get("reviewers", []):
        row["user"] = ids[row["user"]]
    response = as_editor.put(url(draft, "reviewers"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not draft.reviewers.exists()


def test_viewers_cannot_set_reviewers(as_viewer, draft, admin_a):
    body = {"reviewers": [{"user": admin_a.user.pk}]}
    assert as_viewer.put(url(draft, "reviewers"), body, format="json").status_code == 403


def test_reviewers_needs_authentication(api_client, draft):
    assert api_client.put(url(draft, "reviewers"), {"reviewers": []}, format="json").status_code == 401


def test_another_organizations_reviewers_are_not_found(as_admin, tree_b):
    response = as_admin.put(url(tree_b["objective"], "reviewers"), {"reviewers": []}, format="json")
    assert response.status_code == 404


# POST submit-review --------------------------------------------------------------------------------------


def test_editor_submits_a_draft_for_review(as_editor, draft, viewer_a):
    reviews.objective_reviewers_set(objective=draft, reviewers=[(viewer_a.user, True)])
    response = as_editor.post(url(draft, "submit-review"), format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "in_review"


def test_submit_review_without_reviewers_is_refused_when_review_is_required(as_editor, draft):
    response = as_editor.post(url(draft, "submit-review"), format="json")
    assert response.status_code == 400
    assert "required reviewer" in response.json()["fields"]["state"][0]
    assert Objective.objects.get(pk=draft.pk).state == ObjectiveState.DRAFT


def test_viewers_cannot_submit_for_review(as_viewer, draft):
    assert as_viewer.post(url(draft, "submit-review"), format="json").status_code == 403


def test_submit_review_needs_authentication(api_client, draft):
    assert api_client.post(url(draft, "submit-review"), format="json").status_code == 401


def test_another_organizations_objective_cannot_be_submitted(as_admin, tree_b):
    assert as_admin.post(url(tree_b["objective"], "submit-review"), format="json").status_code == 404


def test_manual_activation_through_patch_names_who_has_not_approved(as_editor, in_review, admin_a, viewer_a):
    reviews.objective_review_decide(objective=in_review, user=admin_a.user, decision="approve")
    response = as_editor.patch(f"/api/v1/objectives/{in_review.pk}/", {"state": "active"}, format="json")
    assert response.status_code == 400
    assert f"Not approved yet: {viewer_a.user.get_full_name()}." in response.json()["fields"]["state"][0]


# POST review ---------------------------------------------------------------------------------------------


def test_a_viewer_reviewer_and_an_admin_approve_and_the_objective_becomes_active(
    api_client, in_review, viewer_a, admin_a
):
    api_client.force_authenticate(viewer_a.user)
    response = api_client.post(url(in_review, "review"), {"decision": "approve"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "in_review"
    api_client.force_authenticate(admin_a.user)
    response = api_client.post(
        url(in_review, "review"), {"decision": "approve", "comment": "Go"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "active"
    assert response.json()["open_round"] is None
    assert len(response.json()["decisions"]) == 2


def test_a_request_for_changes_sends_the_objective_back_to_draft(as_viewer, in_review):
    body = {"decision": "request_changes", "comment": "Add a retention key result."}
    response = as_viewer.post(url(in_review, "review"), body, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "draft"
    assert response.json()["decisions"][0]["comment"] == "Add a retention key result."


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "request_changes"}, "comment"),
        ({"decision": "approve", "score": 1}, "score"),
        ({}, "decision"),
    ],
)
def test_review_validation(as_viewer, in_review, body, field):
    response = as_viewer.post(url(in_review, "review"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not ReviewDecision.objects.exists()


def test_someone_who_is_not_a_reviewer_cannot_decide(as_editor, in_review):
    response = as_editor.post(url(in_review, "review"), {"decision": "approve"}, format="json")
    assert response.status_code == 400
    assert "not a reviewer" in response.json()["fields"]["decision"][0]


def test_review_needs_authentication(api_client, in_review):
    assert (
        api_client.post(url(in_review, "review"), {"decision": "approve"}, format="json").status_code == 401
    )


def test_another_organizations_objective_cannot_be_reviewed(as_admin, tree_b):
    response = as_admin.post(url(tree_b["objective"], "review"), {"decision": "approve"}, format="json")
    assert response.status_code == 404
