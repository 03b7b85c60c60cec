"""Notifications in a real Chromium: the unread count in the menu, marking read, preferences, following."""

import pytest
from playwright.sync_api import expect

from notifications import services
from notifications.choices import NotificationKind
from notifications.models import NotificationPreference, ObjectiveFollower
from tests.browser.conftest import screenshot
from tests.okrs.factories import ObjectiveFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _notice(member, key, title):
    services.notify(
        organization=member.organization,
        user_ids=[member.user.pk],
        kind=NotificationKind.MENTION,
        key=key,
        title=title,
        body="Look at the pipeline numbers.",
        link="/my-okrs/",
    )


def test_inbox_count_and_mark_read(live_server, sign_in, console_errors, viewer_a, admin_a):
    for index in range(3):
        _notice(viewer_a, f"k{index}", f"Ana mentioned you {index}")
    _notice(admin_a, "other", "Meant for the admin")
    page = sign_in(viewer_a.user)
    page.goto(f"{live_server.url}/")
    menu_link = page.get_by_test_id("nav-notifications")
    expect(menu_link.get_by_test_id("unread-count")).to_have_text("3")

    menu_link.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.get_by_text("3 unread notifications.")).to_be_visible()
    expect(page.get_by_text("Meant for the admin")).to_have_count(0)
    screenshot(page, "notifications-inbox")

    first = page.locator("li[data-notification]", has_text="Ana mentioned you 2")
    first.get_by_role("button", name="Mark read").click()
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    expect(page.locator("li[data-notification]", has_text="Ana mentioned you 2")).to_have_attribute(
        "data-state", "read"
    )

    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text("You are all caught up.")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert console_errors == []


def test_preferences_form_saves_and_shows_errors(live_server, sign_in, console_errors, viewer_a):
    page = sign_in(viewer_a.user)
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="Preferences").click()
    expect(page.get_by_role("heading", name="Notification preferences")).to_be_visible()

    page.get_by_label("My time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("is not a time zone")).to_be_visible()

    page.get_by_label("My time zone").fill("America/Mexico_City")
    page.get_by_label("Digest day").select_option(label="Friday")
    page.get_by_label("Digest hour").select_option(label="16:00")
    page.get_by_label("Mentions in comments").uncheck()
    page.get_by_label("Also send them by email").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Your notification preferences are saved.")).to_be_visible()
    screenshot(page, "notifications-preferences")

    stored = NotificationPreference.objects.get(user=viewer_a.user)
    assert (stored.time_zone, stored.digest_weekday, stored.digest_hour, stored.email) == (
        "America/Mexico_City",
        4,
        16,
        False,
    )
    assert NotificationKind.MENTION not in stored.events
    expect(page.get_by_label("My time zone")).to_have_value("America/Mexico_City")
    expect(page.get_by_label("Mentions in comments")).not_to_be_checked()
    # The refused form is answered 400, which the browser logs; nothing else went wrong.
    assert [error for error in console_errors if "status of 400" not in error] == []


def test_follow_an_objective_from_its_page(live_server, sign_in, console_errors, viewer_a, editor_a):
    objective = ObjectiveFactory(cycle__organization=viewer_a.organization, owner=editor_a.user)
    page = sign_in(viewer_a.user)
    page.goto(f"{live_server.url}{objective.get_absolute_url()}")
    button = page.get_by_test_id("follow-button")
    expect(button).to_have_text("Follow")
    button.click()
    expect(page.get_by_test_id("follow-button")).to_have_text("Following")
    assert ObjectiveFollower.objects.filter(objective=objective, user=viewer_a.user).exists()
    page.reload()
    page.get_by_test_id("follow-button").click()
    expect(page.get_by_test_id("follow-button")).to_have_text("Follow")
    assert not ObjectiveFollower.objects.exists()
    assert console_errors == []


def test_admin_reaches_notification_settings_from_settings(live_server, sign_in, console_errors, admin_a):
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/accounts/settings/members/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    page.get_by_label("Alert after evaluations").fill("3")
    page.get_by_role("button", name="Save defaults").click()
    expect(page.get_by_text("The notification defaults are saved.")).to_be_visible()
    expect(page.get_by_label("Alert after evaluations")).to_have_value("3")
    assert console_errors == []
