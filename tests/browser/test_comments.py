"""Comments in a real Chromium: posting on an objective page with an @mention completed from the
organization's members, markup shown as text and links made safe, editing within the window, and a
KPI page's thread."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.choices import Role
from comments.models import Comment
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.browser.conftest import screenshot
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ana(admin_a):
    user = UserFactory(username="ana", first_name="Ana", last_name="Ruiz")
    MembershipFactory(user=user, organization=admin_a.organization, role=Role.VIEWER)
    return user


@pytest.fixture
def objective(admin_a):
    objective = ObjectiveFactory(
        cycle=CycleFactory(organization=admin_a.organization), owner=admin_a.user, title="Grow EMEA"
    )
    KeyResultFactory(objective=objective, owner=admin_a.user, title="EMEA pipeline")
    return objective


def test_posting_a_comment_with_a_completed_mention(
    live_server, sign_in, console_errors, objective, admin_a, ana
):
    page = sign_in(admin_a.user)
    page.goto(live_server.url + objective.get_absolute_url())
    thread = page.locator("#comments-thread")
    box = thread.get_by_label("Comment")
    box.click()
    box.press_sequentially("Nice start @an")
    suggestions = page.get_by_role("listbox", name="Members")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option").first).to_contain_text("Ana Ruiz")
    screenshot(page, "comment-mention-completion")
    box.press("Enter")
    expect(box).to_have_value("Nice start @ana ")
    box.press_sequentially("see https://example.com/plan <script>window.pwned = 1</script>")
    thread.get_by_label("About").select_option(label="Key result: EMEA pipeline")
    thread.get_by_role("button", name="Post comment").click()

    comment = page.locator("#comments-thread .comment")
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("on EMEA pipeline")
    expect(comment.locator(".mention")).to_have_text("@ana")
    link = comment.get_by_role("link", name="https://example.com/plan")
    expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")
    expect(comment.locator('[data-role="body"]')).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("window.pwned") is None
    expect(page.locator("#comments-thread").get_by_label("Comment")).to_have_value("")
    screenshot(page, "comment-posted")

    saved = Comment.objects.get()
    assert list(saved.mentions.values_list("username", flat=True)) == ["ana"]
    assert saved.key_result.title == "EMEA pipeline"

    comment.get_by_role("link", name="Edit").click()
    page.get_by_label("Comment").fill("Nice start @ana, see the plan.")
    page.get_by_role("button", name="Save comment").click()
    expect(page.get_by_role("status")).to_contain_text("Comment saved.")
    expect(page.locator("#comments-thread .comment")).to_contain_text("Nice start @ana, see the plan.")
    expect(page.locator("#comments-thread .comment")).to_contain_text("edited")
    assert console_errors == []


def test_a_refused_comment_shows_its_error_and_a_kpi_page_has_a_thread(
    live_server, sign_in, console_errors, admin_a, ana
):
    kpi = KpiFactory(organization=admin_a.organization, name="Win rate")
    page = sign_in(ana)
    page.goto(live_server.url + reverse("dashboards:kpi-detail", args=[kpi.pk]))
    thread = page.locator("#comments-thread")
    thread.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comments-thread .field-error")).to_have_text("This field is required.")
    page.locator("#comments-thread").get_by_label("Comment").fill("Why did it drop in May?")
    page.locator("#comments-thread").get_by_role("button", name="Post comment").click()
    expect(page.locator("#comments-thread .comment")).to_contain_text("Why did it drop in May?")
    page.once("dialog", lambda dialog: dialog.accept())  # "Delete this comment?"
    page.locator("#comments-thread .comment").get_by_role("button", name="Delete").click()
    expect(page.locator('#comments-thread [data-role="deleted"]')).to_have_text("Comment deleted.")
    screenshot(page, "comment-kpi-thread")
    assert Comment.objects.get().kpi == kpi
    assert [e for e in console_errors if "status of 400" not in e] == []
