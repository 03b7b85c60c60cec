"""The API tokens settings page in a real Chromium: create a token, see it once, use it, revoke it."""

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts.models import ApiToken
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _api_status(live_server, token: str) -> int:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/teams/", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_create_use_and_revoke_a_token(live_server, sign_in, console_errors, editor_a):
    page = sign_in(editor_a.user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()

    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Copy your new token now")).to_be_visible()
    token = page.get_by_test_id("new-token").input_value()
    assert token.startswith("rumbo_")
    screenshot(page, "api-tokens-created")
    assert _api_status(live_server, token) == 200

    page.reload()
    expect(page.get_by_text("Copy your new token now")).to_have_count(0)
    row = page.locator("tr[data-token='CRM sync']")
    expect(row).to_contain_text("Active")

    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("no longer works")).to_be_visible()
    expect(page.locator("tr[data-token='CRM sync']")).to_contain_text("Revoked")
    assert ApiToken.objects.get().revoked_at is not None
    assert _api_status(live_server, token) == 401
    assert console_errors == []


def test_form_errors_are_shown_next_to_the_field(live_server, sign_in, editor_a):
    page = sign_in(editor_a.user)
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.get_by_label("Name").fill("Old")
    page.get_by_label("Expires on").fill("2001-01-01")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Choose a day after today.")).to_be_visible()
    assert not ApiToken.objects.exists()
