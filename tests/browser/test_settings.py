"""Settings pages in a real Chromium: Members, Organization, switching organization, password reset and
the first admin's password link. Each page loads, its form works and its errors show."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.choices import Role
from accounts.models import Membership, Organization
from tests.accounts.factories import MembershipFactory, TeamFactory
from tests.accounts.smtp import first_link, smtp_server, text_part
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "tangerine-harbour-42"
NEW_PASSWORD_LABEL = re.compile(r"^New password\b(?! confirmation)")


@pytest.fixture
def mailbox(live_server, settings):
    settings.SITE_URL = live_server.url
    with smtp_server() as received:
        yield received


def test_members_page_changes_a_role_and_teams_and_deactivates(
    live_server, sign_in, console_errors, admin_a, viewer_a
):
    TeamFactory(organization=admin_a.organization, name="Sales")
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/accounts/settings/members/")
    row = page.locator("tr[data-member='viewer-a']")
    expect(row).to_contain_text("Viewer")
    row.get_by_role("link", name="Change").click()
    expect(page.get_by_label("Role")).to_have_value("viewer")
    page.get_by_label("Role").select_option("editor")
    page.get_by_label("Sales").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is updated")).to_be_visible()
    expect(row).to_contain_text("Editor")
    expect(row).to_contain_text("Sales")

    row.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("can no longer sign in here")).to_be_visible()
    expect(row).to_contain_text("Deactivated")
    assert not Membership.objects.get(pk=viewer_a.membership.pk).active
    screenshot(page, "members-deactivated")
    row.get_by_role("button", name="Reactivate").click()
    expect(row).to_contain_text("Active")

    page.locator("tr[data-member='admin-a']").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("last admin")).to_be_visible()
    assert Membership.objects.get(pk=admin_a.membership.pk).active
    assert console_errors == []


def test_invitation_form_shows_its_errors_and_pending_invitations_can_be_resent(
    live_server, sign_in, mailbox, admin_a
):
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/accounts/settings/members/")
    page.get_by_label("Email").fill("viewer-a-at-example.com")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to ana@example.com.")).to_be_visible()
    page.locator("tr[data-invitation='ana@example.com']").get_by_role("button", name="Resend").click()
    expect(page.get_by_text("Invitation sent to ana@example.com.")).to_be_visible()
    first, second = (first_link(text_part(message), "/accounts/invite/") for message in mailbox.messages)
    assert first != second
    page.context.clear_cookies()
    page.goto(first)
    expect(page.get_by_text("This invitation link is not valid.")).to_be_visible()
    page.goto(second)
    expect(page.get_by_role("heading", name="Join Organization A")).to_be_visible()


def test_organization_settings_page_saves_rules_zone_language_and_currency(
    live_server, sign_in, console_errors, admin_a
):
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Organization", exact=True).click()
    expect(page.get_by_role("heading", name="Organization settings")).to_be_visible()
    expect(page.get_by_label("On-track margin")).to_have_value("0.1")
    expect(page.get_by_label("Time zone")).to_have_value("UTC")

    page.get_by_label("At-risk margin").fill("0.05")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The at-risk margin must be at least the on-track margin.")).to_be_visible()

    page.get_by_label("At-risk margin").fill("0.3")
    page.get_by_label("Check-in cadence (days)").fill("7")
    page.get_by_label("Time zone").select_option("Europe/Madrid")
    page.get_by_label("Language").select_option("es")
    page.get_by_label("Currency").fill("eur")
    page.get_by_label("Review required").check()
    page.get_by_role("button", name="Save settings").click()
    # The organization now speaks Spanish, and so does the page that comes back.
    with translation.override("es"):
        saved, review = gettext("The organization's settings are saved."), gettext("review required")
    expect(page.get_by_text(saved)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    screenshot(page, "organization-settings")
    organization = Organization.objects.get(pk=admin_a.organization.pk)
    assert organization.at_risk_margin == Decimal("0.300")
    assert (organization.check_in_cadence_days, organization.time_zone) == (7, "Europe/Madrid")
    assert (organization.language, organization.currency) == ("es", "EUR")
    assert organization.review_required is True
    expect(page.get_by_label(review[0].upper() + review[1:])).to_be_checked()
    assert [error for error in console_errors if "Failed to load resource" not in error] == []


def test_settings_are_not_offered_to_editors(live_server, sign_in, editor_a):
    page = sign_in(editor_a.user)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    assert page.goto(f"{live_server.url}/accounts/settings/organization/").status == 403


def test_a_person_in_two_organizations_switches_from_the_menu(live_server, sign_in, admin_a, org_b):
    MembershipFactory(user=admin_a.user, organization=org_b, role=Role.VIEWER)
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/")
    expect(page.locator(".site-header")).to_contain_text("Organization A")
    page.get_by_role("link", name="Switch organization").click()
    page.get_by_role("button", name="Organization B").click()
    expect(page.get_by_text("You are now working in Organization B.")).to_be_visible()
    expect(page.locator(".site-header")).to_contain_text("Organization B")
    # A viewer there: no Settings in the menu.
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.reload()
    expect(page.locator(".site-header")).to_contain_text("Organization B")


def test_forgotten_password_is_reset_by_mail(live_server, page, mailbox, admin_a):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("admin-a@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    [message] = mailbox.messages
    page.goto(first_link(text_part(message), "/accounts/password-reset/"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label(NEW_PASSWORD_LABEL).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    page.get_by_label(NEW_PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()

    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Username").fill("admin-a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out (admin-a)")).to_be_visible()


def test_the_first_admin_of_a_new_organization_chooses_a_password_from_the_link(live_server, page, mailbox):
    out = io.StringIO()
    call_command(
        "create_organization",
        "--name",
        "Acme",
        "--slug",
        "acme",
        "--admin-email",
        "founder@acme.test",
        stdout=out,
    )
    link = first_link(out.getvalue(), "/accounts/password-set/")
    assert first_link(text_part(mailbox.messages[0]), "/accounts/password-set/").startswith(live_server.url)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(page.get_by_text("Your username is founder@acme.test.")).to_be_visible()
    page.get_by_label(NEW_PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("button", name="Log out (founder@acme.test)")).to_be_visible()
    expect(page.locator(".site-header")).to_contain_text("Acme")
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
