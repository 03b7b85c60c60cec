"""The invitation flow in a real Chromium: an admin invites, the mail arrives over SMTP, the link opens,
the person chooses a password and is signed in with the role they were given. Another organization's
members and invitations are never visible."""

import re

import pytest
from playwright.sync_api import expect

from accounts import services
from accounts.choices import Role
from accounts.models import Membership
from tests.accounts.factories import TeamFactory
from tests.accounts.smtp import first_link, html_part, smtp_server, text_part
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "tangerine-harbour-42"
PASSWORD_LABEL = re.compile(r"^Password\b(?! again)")


@pytest.fixture
def mailbox(live_server, settings):
    """A real SMTP server on 127.0.0.1; links in mail point at the live server."""
    settings.SITE_URL = live_server.url
    with smtp_server() as received:
        yield received


def test_admin_invites_and_the_invitee_joins_signed_in_with_the_role(
    live_server, sign_in, console_errors, mailbox, admin_a
):
    TeamFactory(organization=admin_a.organization, name="Marketing")
    TeamFactory(organization=admin_a.organization, name="Sales")
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()

    page.get_by_label("Email").fill("Ana.Ruiz@Example.com")
    page.get_by_label("Role").select_option("editor")
    page.get_by_label("Sales").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to ana.ruiz@example.com.")).to_be_visible()
    expect(page.locator("tr[data-invitation='ana.ruiz@example.com']")).to_contain_text("Editor")
    screenshot(page, "members-invited")

    [message] = mailbox.messages
    assert mailbox.recipients == [["ana.ruiz@example.com"]]
    link = first_link(text_part(message), "/accounts/invite/")
    assert link.startswith(live_server.url) and f'href="{link}"' in html_part(message)

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Organization A")).to_be_visible()
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Ruiz")
    page.get_by_label(PASSWORD_LABEL).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Join and sign in").click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()

    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Join and sign in").click()
    expect(page.get_by_text("Welcome to Organization A! Your role: Editor.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out (ana.ruiz@example.com)")).to_be_visible()
    # An editor: imports measurements, but has no Settings.
    expect(page.get_by_role("link", name="Import")).to_be_visible()
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    screenshot(page, "invitation-accepted")

    membership = Membership.objects.get(user__username="ana.ruiz@example.com")
    assert (membership.organization, membership.role) == (admin_a.organization, Role.EDITOR)
    assert [team.name for team in membership.teams.all()] == ["Sales"]

    # The link worked once; then the person signs in with the password they chose.
    page.goto(link)
    expect(page.get_by_text("This invitation was already used.")).to_be_visible()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("Ana.Ruiz@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out (ana.ruiz@example.com)")).to_be_visible()
    # The refused password (400) and the used link (410) are logged by Chromium; nothing else may be.
    assert [error for error in console_errors if "Failed to load resource" not in error] == []


def test_a_person_with_an_account_logs_in_then_joins(live_server, page, mailbox, admin_a, member_b):
    services.invitation_create(
        organization=admin_a.organization,
        email=member_b.user.email,
        role=Role.VIEWER,
        invited_by=admin_a.user,
    )
    link = first_link(text_part(mailbox.messages[0]), "/accounts/invite/")
    page.goto(link)
    expect(page.get_by_text("You already have a Rumbo account (member-b).")).to_be_visible()
    page.get_by_role("button", name="Log in to join").click()
    page.get_by_label("Username").fill("member-b")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Join Organization A").click()
    expect(page.get_by_text("Welcome to Organization A! Your role: Viewer.")).to_be_visible()
    expect(page.locator(".site-header")).to_contain_text("Organization A")
    assert member_b.user.memberships.get(organization=admin_a.organization).role == Role.VIEWER


def test_a_revoked_invitation_link_says_what_to_do(live_server, sign_in, mailbox, admin_a):
    services.invitation_create(
        organization=admin_a.organization, email="ana@example.com", invited_by=admin_a.user
    )
    link = first_link(text_part(mailbox.messages[0]), "/accounts/invite/")
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/accounts/settings/members/")
    page.locator("tr[data-invitation='ana@example.com']").get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("its link no longer works")).to_be_visible()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    expect(page.get_by_text("Ask an admin of the organization for a new one.")).to_be_visible()


def test_another_organizations_members_and_invitations_are_never_visible(
    live_server, sign_in, mailbox, admin_a, member_b
):
    theirs = services.invitation_create(
        organization=member_b.organization, email="elsewhere@example.com", invited_by=member_b.user
    )
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/accounts/settings/members/")
    expect(page.locator("tr[data-member='admin-a']")).to_be_visible()
    expect(page.locator("tr[data-member='member-b']")).to_have_count(0)
    expect(page.get_by_text("elsewhere@example.com")).to_have_count(0)

    response = page.goto(f"{live_server.url}/accounts/settings/members/{member_b.membership.pk}/")
    assert response.status == 404
    for url in (f"/api/v1/members/{member_b.membership.pk}/", f"/api/v1/invitations/{theirs.pk}/"):
        assert page.request.get(f"{live_server.url}{url}").status == 404
    listed = page.request.get(f"{live_server.url}/api/v1/invitations/").json()
    assert listed["count"] == 0
