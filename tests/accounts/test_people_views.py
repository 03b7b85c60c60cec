"""Settings → Members and Organization, invitation links, password reset and the organization switch."""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts import emails, services
from accounts.choices import Role
from accounts.models import Invitation, Membership, Organization
from accounts.scoping import ORGANIZATION_SESSION_KEY
from tests.accounts.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "tangerine-harbour-42"


def _invite(member, email="ana@example.com", role=Role.EDITOR):
    return services.invitation_create(
        organization=member.organization, email=email, role=role, invited_by=member.user
    )


def _accept_url(invitation) -> str:
    return reverse("accounts:invitation-accept", args=[emails.invitation_token(invitation)])


# Who may open the settings pages ----------------------------------------------------------------------

SETTINGS_PAGES = ["accounts:member-list", "accounts:organization-settings"]


@pytest.mark.parametrize("page", SETTINGS_PAGES)
def test_settings_pages_are_for_organization_admins(client, admin_a, editor_a, viewer_a, page):
    client.force_login(admin_a.user)
    assert client.get(reverse(page)).status_code == 200
    for member in (editor_a, viewer_a):
        client.force_login(member.user)
        assert client.get(reverse(page)).status_code == 403


@pytest.mark.parametrize("page", SETTINGS_PAGES)
def test_settings_pages_send_anonymous_people_to_log_in(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_menu_shows_settings_to_admins_only(client, admin_a, editor_a):
    client.force_login(admin_a.user)
    assert reverse("accounts:member-list") in client.get(reverse("accounts:token-list")).content.decode()
    client.force_login(editor_a.user)
    assert reverse("accounts:member-list") not in client.get(reverse("accounts:token-list")).content.decode()


# Members -------------------------------------------------------------------------------------------------


def test_member_list_shows_members_and_pending_invitations_of_the_organization_only(
    client, admin_a, viewer_a, member_b
):
    _invite(admin_a, email="pending@example.com")
    _invite(member_b, email="elsewhere@example.com")
    client.force_login(admin_a.user)
    page = client.get(reverse("accounts:member-list")).content.decode()
    assert "viewer-a" in page and "pending@example.com" in page
    assert "member-b" not in page and "elsewhere@example.com" not in page


# Committed for real, so that the mail goes out when the invitation is saved, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_inviting_sends_the_mail_and_lists_the_invitation(client, admin_a):
    team = TeamFactory(organization=admin_a.organization, name="Sales")
    client.force_login(admin_a.user)
    response = client.post(
        reverse("accounts:invitation-create"),
        {"email": "ana@example.com", "role": "editor", "teams": [team.pk]},
        follow=True,
    )
    assert "Invitation sent to ana@example.com." in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.role, list(invitation.teams.all()), invitation.invited_by) == (
        "editor",
        [team],
        admin_a.user,
    )
    assert invitation.sent_at is not None
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_an_invitation_that_could_not_be_mailed_says_so(client, admin_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    client.force_login(admin_a.user)
    data = {"email": "ana@example.com", "role": "viewer"}
    response = client.post(reverse("accounts:invitation-create"), data, follow=True)
    assert Invitation.objects.get().sent_at is None
    page = response.content.decode()
    assert "the mail could not be sent" in page and "Not sent" in page


@pytest.mark.parametrize(
    "data, field_error",
    [
        ({"email": "nope", "role": "viewer"}, "Enter a valid email address."),
        ({"email": "ana@example.com", "role": "owner"}, "Select a valid choice."),
        ({"email": "viewer-a@example.com", "role": "viewer"}, "is already a member"),
    ],
)
def test_invitation_form_errors_are_shown(client, admin_a, viewer_a, data, field_error):
    client.force_login(admin_a.user)
    response = client.post(reverse("accounts:invitation-create"), data)
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not Invitation.objects.exists()


def test_another_organizations_team_cannot_be_chosen(client, admin_a, member_b):
    theirs = TeamFactory(organization=member_b.organization)
    client.force_login(admin_a.user)
    data = {"email": "ana@example.com", "role": "viewer", "teams": [theirs.pk]}
    assert client.post(reverse("accounts:invitation-create"), data).status_code == 400


def test_editors_cannot_invite(client, editor_a):
    client.force_login(editor_a.user)
    response = client.post(
        reverse("accounts:invitation-create"), {"email": "ana@example.com", "role": "admin"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_resend_and_revoke(client, admin_a, django_capture_on_commit_callbacks):
    invitation = _invite(admin_a)
    old_key = invitation.key
    client.force_login(admin_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:invitation-resend", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.key != old_key and invitation.sent_at is not None
    assert len(mail.outbox) == 1
    response = client.post(reverse("accounts:invitation-revoke", args=[invitation.pk]), follow=True)
    assert "no longer works" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "ana@example.com" not in client.get(reverse("accounts:member-list")).content.decode()


@pytest.mark.parametrize("action", ["accounts:invitation-resend", "accounts:invitation-revoke"])
def test_another_organizations_invitation_is_a_404(client, admin_a, member_b, action):
    theirs = _invite(member_b)
    client.force_login(admin_a.user)
    assert client.post(reverse(action, args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_edit_page_opens_with_the_stored_role_and_teams_and_saving_untouched_changes_nothing(
    client, admin_a, viewer_a
):
    team = TeamFactory(organization=admin_a.organization)
    viewer_a.membership.teams.add(team)
    client.force_login(admin_a.user)
    url = reverse("accounts:member-edit", args=[viewer_a.membership.pk])
    form = client.get(url).context["form"]
    assert form.initial == {"role": "viewer", "teams": [team]}
    before = Membership.objects.get(pk=viewer_a.membership.pk).updated_at
    assert client.post(url, {"role": "viewer", "teams": [team.pk]}).status_code == 302
    assert Membership.objects.get(pk=viewer_a.membership.pk).updated_at == before


def test_changing_a_role_and_teams(client, admin_a, viewer_a):
    team = TeamFactory(organization=admin_a.organization)
    client.force_login(admin_a.user)
    url = reverse("accounts:member-edit", args=[viewer_a.membership.pk])
    assert client.post(url, {"role": "editor", "teams": [team.pk]}).status_code == 302
    membership = Membership.objects.get(pk=viewer_a.membership.pk)
    assert membership.role == "editor" and list(membership.teams.all()) == [team]


def test_the_last_admin_cannot_demote_themselves(client, admin_a):
    client.force_login(admin_a.user)
    response = client.post(reverse("accounts:member-edit", args=[admin_a.membership.pk]), {"role": "viewer"})
    assert response.status_code == 400
    assert "last admin" in response.content.decode()


def test_another_organizations_member_is_a_404(client, admin_a, member_b):
    client.force_login(admin_a.user)
    pk = member_b.membership.pk
    assert client.get(reverse("accounts:member-edit", args=[pk])).status_code == 404
    assert client.post(reverse("accounts:member-deactivate", args=[pk])).status_code == 404
    assert Membership.objects.get(pk=pk).active


def test_deactivate_and_reactivate_a_member(client, admin_a, viewer_a):
    client.force_login(admin_a.user)
    response = client.post(reverse("accounts:member-deactivate", args=[viewer_a.membership.pk]), follow=True)
    assert "can no longer sign in here" in response.content.decode()
    assert not Membership.objects.get(pk=viewer_a.membership.pk).active
    client.post(reverse("accounts:member-reactivate", args=[viewer_a.membership.pk]))
    assert Membership.objects.get(pk=viewer_a.membership.pk).active


def test_the_last_admin_cannot_deactivate_themselves(client, admin_a):
    client.force_login(admin_a.user)
    response = client.post(reverse("accounts:member-deactivate", args=[admin_a.membership.pk]), follow=True)
    assert "last admin" in response.content.decode()
    assert Membership.objects.get(pk=admin_a.membership.pk).active


def test_a_deactivated_member_cannot_sign_in(client, admin_a, viewer_a):
    services.membership_update(membership=viewer_a.membership, active=False)
    response = client.post(
        reverse("accounts:login"), {"username": "viewer-a", "password": "a-long-test-password"}
    )
    assert response.status_code == 200
    assert "Your access to Rumbo was deactivated" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_signed_in_member_who_is_deactivated_loses_the_organization(client, admin_a, viewer_a):
    client.force_login(viewer_a.user)
    assert client.get(reverse("dashboards:overview")).status_code == 200
    services.membership_update(membership=viewer_a.membership, active=False)
    assert client.get(reverse("dashboards:overview")).status_code == 404


# Organization settings ---------------------------------------------------------------------------------

ORGANIZATION_FORM = {
    "name": "Organization A",
    "on_track_margin": "0.100",
    "at_risk_margin": "0.250",
    "check_in_cadence_days": "14",
    "status_basis": "expected",
    "time_zone": "UTC",
    "language": "en",
    "currency": "USD",
    "fiscal_year_start_month": "1",
}


def test_organization_settings_open_with_what_is_stored_and_save(client, admin_a):
    client.force_login(admin_a.user)
    url = reverse("accounts:organization-settings")
    form = client.get(url).context["form"]
    assert {name: str(form[name].value()) for name in ORGANIZATION_FORM} == ORGANIZATION_FORM
    data = {**ORGANIZATION_FORM, "on_track_margin": "0.05", "time_zone": "Europe/Madrid", "currency": "eur"}
    assert client.post(url, data).status_code == 302
    organization = Organization.objects.get(pk=admin_a.organization.pk)
    assert organization.on_track_margin == Decimal("0.050")
    assert (organization.time_zone, organization.currency) == ("Europe/Madrid", "EUR")


def test_changed_status_rules_go_through_the_service_that_refreshes_figures(client, admin_a):
    from accounts import signals

    received = []

    def listener(sender, organization, **kwargs):
        received.append(organization.pk)

    signals.organization_rules_changed.connect(listener)
    try:
        client.force_login(admin_a.user)
        url = reverse("accounts:organization-settings")
        client.post(url, ORGANIZATION_FORM)  # untouched: nothing to refresh
        assert received == []
        client.post(url, {**ORGANIZATION_FORM, "check_in_cadence_days": "7"})
        assert received == [admin_a.organization.pk]
        client.post(url, {**ORGANIZATION_FORM, "check_in_cadence_days": "7", "status_basis": "forecast"})
        assert received == [admin_a.organization.pk] * 2  # judging by the forecast changes statuses
    finally:
        signals.organization_rules_changed.disconnect(listener)


def test_review_can_be_required_and_no_longer_required(client, admin_a):
    client.force_login(admin_a.user)
    url = reverse("accounts:organization-settings")
    client.post(url, {**ORGANIZATION_FORM, "review_required": "on"})
    assert Organization.objects.get(pk=admin_a.organization.pk).review_required is True
    assert client.get(url).context["form"]["review_required"].value() is True
    client.post(url, ORGANIZATION_FORM)
    assert Organization.objects.get(pk=admin_a.organization.pk).review_required is False


@pytest.mark.parametrize(
    "change, message",
    [
        ({"at_risk_margin": "0.05"}, "at-risk margin must be at least the on-track margin"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"currency": "U$D"}, "three-letter currency code"),
        ({"check_in_cadence_days": "0"}, "greater than or equal to 1"),
    ],
)
def test_organization_settings_errors_are_shown(client, admin_a, change, message):
    client.force_login(admin_a.user)
    response = client.post(reverse("accounts:organization-settings"), {**ORGANIZATION_FORM, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Organization.objects.get(pk=admin_a.organization.pk).at_risk_margin == Decimal("0.250")


@pytest.mark.parametrize("size", [1, 8])
def test_settings_pages_run_a_fixed_number_of_queries(client, admin_a, size, django_assert_num_queries):
    team = TeamFactory(organization=admin_a.organization)
    for number in range(size):
        MembershipFactory(organization=admin_a.organization).teams.add(team)
        services.invitation_create(
            organization=admin_a.organization, email=f"p{number}@example.com", teams=[team]
        )
    client.force_login(admin_a.user)
    # session, user, membership; members, their teams; invitations, their teams; the form's teams (twice);
    # unread notifications (menu)
    with django_assert_num_queries(10):
        assert client.get(reverse("accounts:member-list")).status_code == 200
    with django_assert_num_queries(4):  # session, user, membership, unread notifications (menu)
        assert client.get(reverse("accounts:organization-settings")).status_code == 200


# Invitation links --------------------------------------------------------------------------------------


def test_accepting_an_invitation_signs_the_person_in_with_the_role(client, admin_a):
    invitation = _invite(admin_a, role=Role.EDITOR)
    url = _accept_url(invitation)
    assert "Join Organization A" in client.get(url).content.decode()
    data = {"first_name": "Ana", "last_name": "Ruiz", "new_password1": PASSWORD, "new_password2": PASSWORD}
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:overview")
    assert "Welcome to Organization A! Your role: Editor." in response.content.decode()
    assert response.context["membership"].role == "editor"
    assert response.context["user"].get_full_name() == "Ana Ruiz"
    assert client.get(url).status_code == 410  # once only


def test_weak_or_mismatched_passwords_are_refused_on_the_invitation_page(client, admin_a):
    url = _accept_url(_invite(admin_a))
    response = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400 and "too short" in response.content.decode()
    response = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD + "x"})
    assert response.status_code == 400 and "didn’t match" in response.content.decode()
    assert not User.objects.filter(username="ana@example.com").exists()


def test_invalid_expired_and_revoked_links_explain_what_to_do(client, admin_a):
    assert client.get(reverse("accounts:invitation-accept", args=["forged"])).status_code == 404
    invitation = _invite(admin_a)
    services.invitation_revoke(invitation=invitation)
    response = client.get(_accept_url(invitation))
    assert response.status_code == 410
    assert "Ask an admin of the organization for a new one" in response.content.decode()


def test_an_existing_account_signs_in_then_joins(client, admin_a, member_b):
    url = _accept_url(_invite(admin_a, email=member_b.user.email, role=Role.VIEWER))
    page = client.get(url).content.decode()
    assert "You already have a Rumbo account" in page and f"?next={quote(url)}" in page
    client.force_login(UserFactory(username="someone-else"))
    assert client.get(url).status_code == 403
    client.force_login(member_b.user)
    response = client.post(url, follow=True)
    assert "Welcome to Organization A! Your role: Viewer." in response.content.decode()
    assert client.session[ORGANIZATION_SESSION_KEY] == admin_a.organization.pk
    assert member_b.user.memberships.get(organization=admin_a.organization).role == "viewer"


# Switching organization --------------------------------------------------------------------------------


def test_a_person_in_two_organizations_switches_from_the_menu(client, admin_a, org_b):
    MembershipFactory(user=admin_a.user, organization=org_b, role=Role.VIEWER)
    client.force_login(admin_a.user)
    page = client.get(reverse("dashboards:overview")).content.decode()
    assert reverse("accounts:organization-switch") in page
    assert "Organization B" in client.get(reverse("accounts:organization-switch")).content.decode()
    response = client.post(reverse("accounts:organization-switch"), {"organization": org_b.pk}, follow=True)
    assert "You are now working in Organization B." in response.content.decode()
    assert response.context["organization"] == org_b
    assert response.context["membership"].role == "viewer"


def test_a_person_cannot_switch_to_an_organization_they_are_not_in(client, admin_a, org_b):
    client.force_login(admin_a.user)
    assert (
        reverse("accounts:organization-switch")
        not in client.get(reverse("dashboards:overview")).content.decode()
    )
    for value in (org_b.pk, "x", ""):
        assert (
            client.post(reverse("accounts:organization-switch"), {"organization": value}).status_code == 404
        )
    assert ORGANIZATION_SESSION_KEY not in client.session


# Password reset ----------------------------------------------------------------------------------------


def test_login_page_links_to_password_reset(client):
    assert reverse("accounts:password-reset") in client.get(reverse("accounts:login")).content.decode()


def test_password_reset_mails_a_link_that_sets_a_new_password(client, admin_a):
    response = client.post(reverse("accounts:password-reset"), {"email": "ADMIN-A@example.com"})
    assert response.url == reverse("accounts:password-reset-sent")
    [message] = mail.outbox
    assert message.to == ["admin-a@example.com"]
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
    link = next(word for word in message.body.split() if "/accounts/password-reset/" in word)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.url == reverse("accounts:password-reset-complete")
    assert User.objects.get(pk=admin_a.user.pk).check_password(PASSWORD)
    assert "not valid any more" in client.get(link, follow=True).content.decode()


def test_password_reset_of_an_unknown_address_tells_nothing(client, admin_a):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("accounts:password-reset-sent")
    assert mail.outbox == []


def test_a_person_who_never_chose_a_password_can_ask_for_one(client, db):
    services.organization_create(slug="acme", name="Acme", admin_email="founder@acme.test")
    mail.outbox.clear()
    client.post(reverse("accounts:password-reset"), {"email": "founder@acme.test"})
    assert [message.to for message in mail.outbox] == [["founder@acme.test"]]
