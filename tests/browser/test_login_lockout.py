"""The login page in Chromium: wrong passwords lead to the lockout page, which offers password reset."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _try(page, url, password):
    page.goto(url)
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_wrong_passwords_lead_to_the_lockout_page(live_server, page, console_errors):
    UserFactory(username="dana", email="dana@example.com")
    url = f"{live_server.url}/accounts/login/"
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(page, url, f"wrong-{attempt}")
        expect(page.get_by_role("alert")).to_be_visible()  # the form's own error
    _try(page, url, "wrong-last")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    _try(page, url, "a-long-test-password")  # the right password waits for the cool-off
    expect(page.get_by_role("alert")).to_contain_text("Try again in 15 minutes")
    page.get_by_role("link", name="Forgot your password? Reset it by email.").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/password-reset/")
    assert [error for error in console_errors if "429" not in error] == []
