"""Stakeholder review in a real Chromium: an editor chooses two reviewers and submits a draft; activating
it by hand is not offered while review is required; one reviewer requests changes, the draft is submitted
again, and both approve: the objective is active, with every decision on its page."""

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from okrs.choices import ObjectiveState
from okrs.models import Objective, ReviewDecision
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.browser.conftest import screenshot
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _person(organization, role, username, first_name, last_name):
    user = UserFactory(username=username, first_name=first_name, last_name=last_name)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def draft(admin_a, editor_a):
    organization = admin_a.organization
    organization.review_required = True
    organization.save()
    objective = ObjectiveFactory(
        cycle=CycleFactory(organization=organization, name="Q4 2026"),
        owner=editor_a.user,
        state=ObjectiveState.DRAFT,
        title="Open the EMEA market",
    )
    KeyResultFactory(objective=objective, owner=editor_a.user, title="EMEA pipeline", target_value=40)
    return objective


def _state(page):
    return page.locator('#objective-lifecycle [data-role="state"]')


def test_review_with_two_reviewers_on_the_objective_page(
    live_server, sign_in, console_errors, draft, editor_a
):
    organization = draft.cycle.organization
    ana = _person(organization, Role.VIEWER, "ana", "Ana", "Ruiz")
    bruno = _person(organization, Role.ADMIN, "bruno", "Bruno", "Diaz")
    url = live_server.url + draft.get_absolute_url()

    page = sign_in(editor_a.user)
    page.goto(url)
    review = page.locator("#objective-review")
    expect(review.locator('[data-role="no-reviewers"]')).to_be_visible()
    required = review.locator("fieldset", has_text="Required reviewers")
    required.get_by_label("Ana Ruiz").check()
    required.get_by_label("Bruno Diaz").check()
    review.get_by_role("button", name="Save reviewers").click()
    expect(page.get_by_role("status")).to_contain_text("Reviewers of “Open the EMEA market” saved.")
    expect(page.locator("#objective-review [data-reviewer]")).to_have_count(2)
    page.locator("#objective-review").get_by_role("button", name="Submit for review").click()
    expect(_state(page)).to_have_text("In review")
    expect(page.locator('#objective-review [data-role="waiting"]')).to_contain_text("Ana Ruiz, Bruno Diaz")

    # While review is required, only the reviewers' approvals activate it: no Activate button.
    expect(page.locator("#objective-lifecycle").get_by_role("button", name="Back to draft")).to_be_visible()
    expect(page.locator("#objective-lifecycle").get_by_role("button", name="Activate")).to_have_count(0)
    screenshot(page, "review-waiting-for-approvals")

    page = sign_in(ana)
    page.goto(url)
    review = page.locator("#objective-review")
    review.get_by_label("Request changes").check()
    review.get_by_label("Comment").fill("40 deals is too few for a new market; aim for 60.")
    review.get_by_role("button", name="Send my review").click()
    expect(page.get_by_role("status")).to_contain_text("back to draft")
    expect(_state(page)).to_have_text("Draft")
    expect(page.locator("#objective-review .review-decisions > li").first).to_contain_text("aim for 60")

    page = sign_in(editor_a.user)
    page.goto(url)
    page.locator("#objective-review").get_by_role("button", name="Submit for review").click()
    expect(_state(page)).to_have_text("In review")

    for reviewer in (bruno, ana):
        page = sign_in(reviewer)
        page.goto(url)
        review = page.locator("#objective-review")
        review.get_by_label("Approve").check()
        review.get_by_role("button", name="Send my review").click()
    expect(page.get_by_role("status")).to_contain_text(
        "every required reviewer approved it, and it is active"
    )
    expect(_state(page)).to_have_text("Active")
    decisions = page.locator("#objective-review .review-decisions > li")
    expect(decisions).to_have_count(3)
    expect(decisions.first).to_contain_text("Ana Ruiz")
    expect(decisions.first.locator('[data-role="decision"]')).to_have_text("Approved")
    decisions.last.get_by_text("Version reviewed").click()
    expect(decisions.last).to_contain_text("EMEA pipeline: 0 → 40")
    screenshot(page, "review-approved")

    assert Objective.objects.get(pk=draft.pk).state == ObjectiveState.ACTIVE
    assert ReviewDecision.objects.filter(objective=draft).count() == 3
    assert [e for e in console_errors if "status of 400" not in e] == []
