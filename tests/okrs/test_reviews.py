"""Stakeholder review: reviewers of a draft, submission, decisions with their version, and what the
organization's review_required setting enforces on objectives and their key results."""

from decimal import Decimal

import pytest

from accounts.choices import Role
from common.exceptions import ApplicationError
from okrs import selectors_reviews, services, signals
from okrs.choices import ObjectiveState, ReviewDecisionKind, ReviewOutcome, ReviewStanding
from okrs.models import Objective, ObjectiveStateChange, ReviewDecision, ReviewRequest
from okrs.services import reviews
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

APPROVE, CHANGES = ReviewDecisionKind.APPROVE, ReviewDecisionKind.REQUEST_CHANGES


@pytest.fixture
def events():
    """Every review signal sent during the test, as (name, kwargs)."""
    sent = []

    def requested(sender, **kwargs):
        sent.append(("requested", kwargs))

    def decided(sender, **kwargs):
        sent.append(("decided", kwargs))

    signals.review_requested.connect(requested, dispatch_uid="test-requested")
    signals.review_decided.connect(decided, dispatch_uid="test-decided")
    yield sent
    signals.review_requested.disconnect(dispatch_uid="test-requested")
    signals.review_decided.disconnect(dispatch_uid="test-decided")


def _person(organization, role, username, first_name):
    user = UserFactory(username=username, first_name=first_name, last_name="")
    MembershipFactory(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def cast(admin_a, editor_a):
    """A draft owned by the editor, with a key result, and two reviewers: a viewer and an admin."""
    organization = admin_a.organization
    organization.review_required = True
    organization.save()
    cycle = CycleFactory(organization=organization)
    draft = ObjectiveFactory(cycle=cycle, owner=editor_a.user, state=ObjectiveState.DRAFT, title="Win EMEA")
    key_result = KeyResultFactory(objective=draft, owner=editor_a.user, title="Deals", target_value=40)
    ana = _person(organization, Role.VIEWER, "ana", "Ana")
    bruno = _person(organization, Role.ADMIN, "bruno", "Bruno")
    return {
        "organization": organization,
        "draft": draft,
        "key_result": key_result,
        "owner": editor_a.user,
        "ana": ana,
        "bruno": bruno,
    }


def _state(objective) -> str:
    return Objective.objects.get(pk=objective.pk).state


def _submit_with_reviewers(cast, *reviewers, required=True):
    reviews.objective_reviewers_set(
        objective=cast["draft"], reviewers=[(r, required) for r in reviewers], user=cast["owner"]
    )
    return reviews.objective_review_submit(objective=cast["draft"], user=cast["owner"])


def test_two_reviewers_one_requests_changes_then_both_approve(cast, events):
    draft, ana, bruno = cast["draft"], cast["ana"], cast["bruno"]
    objective = _submit_with_reviewers(cast, ana, bruno)
    assert objective.state == ObjectiveState.IN_REVIEW
    assert events[0][0] == "requested" and set(events[0][1]["reviewers"]) == {ana, bruno}

    reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    assert _state(draft) == ObjectiveState.IN_REVIEW
    sent_back = reviews.objective_review_decide(
        objective=draft, user=bruno, decision=CHANGES, comment="Target too low for EMEA."
    )
    assert _state(draft) == ObjectiveState.DRAFT
    assert sent_back.snapshot["key_results"][0]["target_value"] == "40"
    change = ObjectiveStateChange.objects.filter(objective=draft).first()
    assert (change.from_state, change.to_state, change.user) == ("in_review", "draft", bruno)
    assert "Target too low for EMEA." in change.reason

    services.key_result_update(key_result=cast["key_result"], target_value=Decimal(60))
    reviews.objective_review_submit(objective=draft, user=cast["owner"])
    reviews.objective_review_decide(objective=draft, user=bruno, decision=APPROVE, comment="Better.")
    assert _state(draft) == ObjectiveState.IN_REVIEW  # Ana's approval of the first round does not count
    last = reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    assert _state(draft) == ObjectiveState.ACTIVE

    assert last.snapshot == {
        "title": "Win EMEA",
        "so_what": draft.so_what,
        "key_results": [
            {
                "id": cast["key_result"].pk,
                "title": "Deals",
                "kind": "increase",
                "unit": "number",
                "start_value": "0",
                "target_value": "60",
            }
        ],
    }
    rounds = list(
        ReviewRequest.objects.filter(objective=draft).order_by("pk").values_list("outcome", flat=True)
    )
    assert rounds == [ReviewOutcome.CHANGES_REQUESTED, ReviewOutcome.APPROVED]
    assert ReviewDecision.objects.filter(objective=draft).count() == 4
    assert [name for name, _ in events] == [
        "requested",
        "decided",
        "decided",
        "requested",
        "decided",
        "decided",
    ]
    assert events[-1][1]["objective"].state == ObjectiveState.ACTIVE


def test_manual_activation_is_refused_while_review_is_required(cast):
    draft, ana, bruno = cast["draft"], cast["ana"], cast["bruno"]
    _submit_with_reviewers(cast, ana, bruno)
    reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    with pytest.raises(ApplicationError) as refused:
        services.objective_update(objective=draft, user=cast["owner"], state=ObjectiveState.ACTIVE)
    assert "Not approved yet: Bruno." in refused.value.message
    assert _state(draft) == ObjectiveState.IN_REVIEW


def test_without_required_review_an_editor_activates_by_hand(cast):
    organization, draft = cast["organization"], cast["draft"]
    organization.review_required = False
    organization.save()
    _submit_with_reviewers(cast, cast["ana"])
    services.objective_update(objective=draft, user=cast["owner"], state=ObjectiveState.ACTIVE)
    assert _state(draft) == ObjectiveState.ACTIVE
    assert ReviewRequest.objects.get(objective=draft).outcome == ReviewOutcome.ACTIVATED


def test_without_required_review_approvals_still_activate(cast):
    cast["organization"].review_required = False
    cast["organization"].save()
    _submit_with_reviewers(cast, cast["ana"])
    reviews.objective_review_decide(objective=cast["draft"], user=cast["ana"], decision=APPROVE)
    assert _state(cast["draft"]) == ObjectiveState.ACTIVE


def test_submission_needs_a_required_reviewer_when_review_is_required(cast):
    with pytest.raises(ApplicationError, match="choose at least one required reviewer"):
        reviews.objective_review_submit(objective=cast["draft"], user=cast["owner"])
    reviews.objective_reviewers_set(objective=cast["draft"], reviewers=[(cast["ana"], False)])
    with pytest.raises(ApplicationError, match="choose at least one required reviewer"):
        reviews.objective_review_submit(objective=cast["draft"], user=cast["owner"])
    assert _state(cast["draft"]) == ObjectiveState.DRAFT


def test_optional_reviewers_are_not_waited_for(cast):
    reviews.objective_reviewers_set(
        objective=cast["draft"], reviewers=[(cast["ana"], True), (cast["bruno"], False)]
    )
    reviews.objective_review_submit(objective=cast["draft"], user=cast["owner"])
    reviews.objective_review_decide(objective=cast["draft"], user=cast["ana"], decision=APPROVE)
    assert _state(cast["draft"]) == ObjectiveState.ACTIVE


def test_a_new_objective_starts_as_a_draft_when_review_is_required(cast):
    fields = {
        "cycle": cast["draft"].cycle,
        "title": "Skip review",
        "so_what": "x",
        "outcome_kind": "growth",
        "owner": cast["owner"],
    }
    with pytest.raises(ApplicationError, match="starts as a draft"):
        services.objective_create(state=ObjectiveState.ACTIVE, **fields)
    assert services.objective_create(state=ObjectiveState.DRAFT, **fields).state == ObjectiveState.DRAFT


def test_changing_an_approved_objectives_key_results_sends_it_back_to_review(cast, events):
    draft, ana, key_result = cast["draft"], cast["ana"], cast["key_result"]
    _submit_with_reviewers(cast, ana)
    reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    assert _state(draft) == ObjectiveState.ACTIVE

    services.key_result_update(key_result=key_result, weight=Decimal(2), title="Deals won")
    assert _state(draft) == ObjectiveState.ACTIVE  # neither weight nor title changes what was approved

    events.clear()
    services.key_result_update(key_result=key_result, target_value=Decimal(80), user=cast["owner"])
    assert _state(draft) == ObjectiveState.IN_REVIEW
    assert [(name, kwargs["objective"].pk, kwargs["reviewers"]) for name, kwargs in events] == [
        ("requested", draft.pk, [ana])
    ]
    change = ObjectiveStateChange.objects.filter(objective=draft).first()
    assert (change.from_state, change.to_state) == ("active", "in_review")
    summary = selectors_reviews.review_summary(objective=draft, organization=cast["organization"])
    assert [row.standing for row in summary.reviewers] == [ReviewStanding.PENDING]

    reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    services.key_result_create(
        objective=draft,
        title="New one",
        owner=cast["owner"],
        kind="increase",
        unit="number",
        start_value=Decimal(0),
        target_value=Decimal(5),
    )
    assert _state(draft) == ObjectiveState.IN_REVIEW
    reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    services.key_result_delete(key_result=key_result)
    assert _state(draft) == ObjectiveState.IN_REVIEW


def test_key_result_changes_keep_an_active_objective_active_when_review_is_not_required(cast):
    cast["organization"].review_required = False
    cast["organization"].save()
    _submit_with_reviewers(cast, cast["ana"])
    reviews.objective_review_decide(objective=cast["draft"], user=cast["ana"], decision=APPROVE)
    services.key_result_update(key_result=cast["key_result"], target_value=Decimal(90))
    assert _state(cast["draft"]) == ObjectiveState.ACTIVE


def test_an_approval_of_an_earlier_version_is_waited_for_again(cast):
    draft, ana, bruno = cast["draft"], cast["ana"], cast["bruno"]
    _submit_with_reviewers(cast, ana, bruno)
    reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    services.key_result_update(key_result=cast["key_result"], target_value=Decimal(45))
    reviews.objective_review_decide(objective=draft, user=bruno, decision=APPROVE)
    assert _state(draft) == ObjectiveState.IN_REVIEW
    summary = selectors_reviews.review_summary(objective=draft, organization=cast["organization"])
    standings = {row.user.username: row.standing for row in summary.reviewers}
    assert standings == {"ana": ReviewStanding.APPROVED_EARLIER, "bruno": ReviewStanding.APPROVED}
    with pytest.raises(ApplicationError, match="Not approved yet: Ana."):
        services.objective_update(objective=draft, state=ObjectiveState.ACTIVE)
    reviews.objective_review_decide(objective=draft, user=ana, decision=APPROVE)
    assert _state(draft) == ObjectiveState.ACTIVE


def test_moving_back_to_draft_by_hand_withdraws_the_round(cast):
    _submit_with_reviewers(cast, cast["ana"])
    services.objective_update(objective=cast["draft"], state=ObjectiveState.DRAFT)
    assert ReviewRequest.objects.get(objective=cast["draft"]).outcome == ReviewOutcome.WITHDRAWN


@pytest.mark.parametrize(
    "who, message",
    [
        ("owner", "owns this objective"),
        ("stranger", "not an active member"),
        ("inactive", "not an active member"),
    ],
)
def test_reviewers_are_active_members_other_than_the_owner(cast, member_b, who, message):
    people = {"owner": cast["owner"], "stranger": member_b.user}
    if who == "inactive":
        people["inactive"] = _person(cast["organization"], Role.EDITOR, "gone", "Gone")
        people["inactive"].memberships.update(active=False)
    with pytest.raises(ApplicationError, match=message):
        reviews.objective_reviewers_set(objective=cast["draft"], reviewers=[(people[who], True)])


def test_reviewers_are_chosen_while_a_draft_and_replaced_as_a_whole(cast):
    reviews.objective_reviewers_set(
        objective=cast["draft"], reviewers=[(cast["ana"], True), (cast["bruno"], True)]
    )
    reviews.objective_reviewers_set(objective=cast["draft"], reviewers=[(cast["bruno"], False)])
    assert list(cast["draft"].reviewers.values_list("user__username", "required")) == [("bruno", False)]
    active = ObjectiveFactory(cycle=cast["draft"].cycle, owner=cast["owner"], state=ObjectiveState.ACTIVE)
    with pytest.raises(ApplicationError, match="while the objective is a draft"):
        reviews.objective_reviewers_set(objective=active, reviewers=[(cast["ana"], True)])


def test_only_reviewers_decide_and_changes_need_a_comment(cast, viewer_a):
    draft = cast["draft"]
    with pytest.raises(ApplicationError, match="Only an objective in review"):
        reviews.objective_review_decide(objective=draft, user=cast["ana"], decision=APPROVE)
    _submit_with_reviewers(cast, cast["ana"])
    with pytest.raises(ApplicationError, match="not a reviewer"):
        reviews.objective_review_decide(objective=draft, user=viewer_a.user, decision=APPROVE)
    with pytest.raises(ApplicationError, match="Say what should change"):
        reviews.objective_review_decide(objective=draft, user=cast["ana"], decision=CHANGES, comment="  ")
    assert not ReviewDecision.objects.exists()
    assert _state(draft) == ObjectiveState.IN_REVIEW


def test_a_deactivated_reviewer_is_not_waited_for(cast):
    _submit_with_reviewers(cast, cast["ana"], cast["bruno"])
    reviews.objective_review_decide(objective=cast["draft"], user=cast["ana"], decision=APPROVE)
    cast["bruno"].memberships.update(active=False)
    with pytest.raises(ApplicationError, match="not a reviewer"):
        reviews.objective_review_decide(objective=cast["draft"], user=cast["bruno"], decision=APPROVE)
    services.objective_update(objective=cast["draft"], state=ObjectiveState.ACTIVE)
    assert _state(cast["draft"]) == ObjectiveState.ACTIVE


def test_review_summary_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    _submit_with_reviewers(cast, cast["ana"], cast["bruno"])
    reviews.objective_review_decide(objective=cast["draft"], user=cast["ana"], decision=APPROVE)
    objective = Objective.objects.prefetch_related("key_results").get(pk=cast["draft"].pk)
    with django_assert_num_queries(3):  # reviewers, open round, decisions
        summary = selectors_reviews.review_summary(objective=objective, organization=cast["organization"])
        assert [row.standing for row in summary.reviewers] == [
            ReviewStanding.APPROVED,
            ReviewStanding.PENDING,
        ]


# Pages --------------------------------------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, objective):
    from django.urls import reverse

    return reverse(f"okrs:{name}", args=[objective.pk])


def test_the_objective_page_loads_its_review_panel(client, cast):
    client.force_login(cast["ana"])
    page = client.get(cast["draft"].get_absolute_url()).content.decode()
    assert f'hx-get="{_url("objective-review", cast["draft"])}"' in page
    assert client.get(_url("objective-review", cast["draft"]), **HTMX).status_code == 200
    assert client.get(_url("objective-review", cast["draft"])).status_code == 200


def test_an_editor_chooses_reviewers_and_submits_from_the_page(client, cast):
    client.force_login(cast["owner"])
    body = {"required": [cast["ana"].pk], "optional": [cast["bruno"].pk]}
    assert client.post(_url("objective-reviewers", cast["draft"]), body).status_code == 302
    assert set(cast["draft"].reviewers.values_list("user__username", "required")) == {
        ("ana", True),
        ("bruno", False),
    }
    assert client.post(_url("objective-review-submit", cast["draft"])).status_code == 302
    assert _state(cast["draft"]) == ObjectiveState.IN_REVIEW


def test_the_page_shows_the_services_refusals(client, cast):
    client.force_login(cast["owner"])
    response = client.post(_url("objective-review-submit", cast["draft"]))
    assert response.status_code == 400
    assert "choose at least one required reviewer" in response.content.decode()
    body = {"required": [cast["ana"].pk], "optional": [cast["ana"].pk]}
    response = client.post(_url("objective-reviewers", cast["draft"]), body)
    assert response.status_code == 400
    assert "not both" in response.content.decode()


def test_a_viewer_reviewer_decides_from_the_page(client, cast):
    _submit_with_reviewers(cast, cast["ana"])
    client.force_login(cast["ana"])
    panel = client.get(_url("objective-review", cast["draft"]), **HTMX).content.decode()
    assert "Send my review" in panel
    response = client.post(_url("objective-review-decide", cast["draft"]), {"decision": "request_changes"})
    assert response.status_code == 400
    assert "Say what should change." in response.content.decode()
    response = client.post(_url("objective-review-decide", cast["draft"]), {"decision": "approve"})
    assert response.status_code == 302
    assert _state(cast["draft"]) == ObjectiveState.ACTIVE


def test_viewers_cannot_choose_reviewers_or_submit(client, cast):
    client.force_login(cast["ana"])
    assert client.post(_url("objective-reviewers", cast["draft"]), {"required": []}).status_code == 403
    assert client.post(_url("objective-review-submit", cast["draft"])).status_code == 403


def test_another_organizations_review_pages_are_not_found(client, cast, member_b):
    client.force_login(member_b.user)
    for name in ("objective-review",):
        assert client.get(_url(name, cast["draft"])).status_code == 404
    for name in ("objective-reviewers", "objective-review-submit", "objective-review-decide"):
        assert client.post(_url(name, cast["draft"]), {"decision": "approve"}).status_code == 404


@pytest.mark.parametrize("size", [1, 5])
def test_review_panel_runs_a_fixed_number_of_queries(client, cast, size, django_assert_num_queries):
    people = [_person(cast["organization"], Role.VIEWER, f"r{n}", f"R{n}") for n in range(size)]
    _submit_with_reviewers(cast, *people)
    reviews.objective_review_decide(objective=cast["draft"], user=people[0], decision=APPROVE)
    client.force_login(people[-1])
    # session, user, membership; objective, key results; reviewers, open round, decisions
    with django_assert_num_queries(8):
        response = client.get(_url("objective-review", cast["draft"]), **HTMX)
    assert response.content.decode().count("data-reviewer=") == size
