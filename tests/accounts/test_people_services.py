"""Invitations, memberships and new organizations: every rule against the real database."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import selectors, services
from accounts.choices import InvitationState, Role
from accounts.models import Invitation, Membership, Organization
from accounts.scoping import membership_for_user
from common.exceptions import ApplicationError
from tests.accounts.factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "tangerine-harbour-42"


def _invite(admin, email="ana@example.com", role=Role.EDITOR, teams=()):
    return services.invitation_create(
        organization=admin.organization, email=email, role=role, teams=teams, invited_by=admin.user
    )


def _link_token(invitation):
    from accounts import emails

    return emails.invitation_token(invitation)


def test_invitation_is_stored_lower_cased_with_its_role_teams_and_a_seven_day_expiry(admin_a):
    team = TeamFactory(organization=admin_a.organization)
    invitation = _invite(admin_a, email="  Ana@Example.COM ", teams=[team])
    assert invitation.email == "ana@example.com"
    assert invitation.role == Role.EDITOR
    assert list(invitation.teams.all()) == [team]
    assert invitation.expires_at - timezone.now() == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    assert invitation.state(timezone.now()) == InvitationState.PENDING


@pytest.mark.parametrize(
    "email, message",
    [("not-an-address", "is not an email address"), ("admin-a@example.com", "already a member")],
)
def test_invitation_refused_for_a_bad_address_or_a_member(admin_a, email, message):
    with pytest.raises(ApplicationError, match=message) as caught:
        _invite(admin_a, email=email)
    assert caught.value.field == "email"
    assert not Invitation.objects.exists()


def test_invitation_refused_for_a_deactivated_member_who_should_be_reactivated(admin_a, viewer_a):
    services.membership_update(membership=viewer_a.membership, active=False)
    with pytest.raises(ApplicationError, match="reactivate them"):
        _invite(admin_a, email=viewer_a.user.email)


def test_a_second_pending_invitation_for_one_address_is_refused(admin_a):
    _invite(admin_a)
    with pytest.raises(ApplicationError, match="resend it instead"):
        _invite(admin_a, email="ANA@example.com")


def test_invitation_refuses_a_team_of_another_organization(admin_a, member_b):
    with pytest.raises(ApplicationError) as caught:
        _invite(admin_a, teams=[TeamFactory(organization=member_b.organization)])
    assert caught.value.field == "teams"


def test_the_same_address_may_be_invited_by_two_organizations(admin_a, member_b):
    _invite(admin_a)
    _invite(member_b)
    assert Invitation.objects.count() == 2


def test_accepting_creates_an_account_named_by_the_address_with_the_role_and_teams(admin_a):
    team = TeamFactory(organization=admin_a.organization)
    invitation = _invite(admin_a, teams=[team])
    membership = services.invitation_accept(invitation=invitation, password=PASSWORD, first_name="Ana")
    user = membership.user
    assert (user.username, user.email, user.first_name) == ("ana@example.com", "ana@example.com", "Ana")
    assert user.check_password(PASSWORD)
    assert (membership.organization, membership.role, membership.active) == (
        admin_a.organization,
        "editor",
        True,
    )
    assert list(membership.teams.all()) == [team]
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.state(timezone.now()) == InvitationState.ACCEPTED


def test_an_invitation_works_once(admin_a):
    invitation = _invite(admin_a)
    services.invitation_accept(invitation=invitation, password=PASSWORD)
    with pytest.raises(ApplicationError, match="already used"):
        services.invitation_accept(invitation=invitation, password=PASSWORD)
    assert Membership.objects.filter(organization=admin_a.organization).count() == 2


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "ana@example.com"])
def test_accepting_applies_djangos_password_validators(admin_a, password):
    invitation = _invite(admin_a)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, password=password)
    assert not User.objects.filter(username="ana@example.com").exists()


def test_an_invitation_expires_after_seven_days(admin_a):
    invitation = _invite(admin_a)
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert invitation.state(timezone.now()) == InvitationState.EXPIRED
        with pytest.raises(ApplicationError, match="expired"):
            services.invitation_accept(invitation=invitation, password=PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        services.invitation_accept(invitation=invitation, password=PASSWORD)


def test_a_revoked_invitation_cannot_be_accepted_or_resent(admin_a):
    invitation = _invite(admin_a)
    services.invitation_revoke(invitation=invitation)
    first = Invitation.objects.get().revoked_at
    services.invitation_revoke(invitation=invitation)
    assert Invitation.objects.get().revoked_at == first
    with pytest.raises(ApplicationError, match="revoked"):
        services.invitation_accept(invitation=invitation, password=PASSWORD)
    with pytest.raises(ApplicationError, match="revoked"):
        services.invitation_resend(invitation=invitation)


def test_an_accepted_invitation_cannot_be_revoked(admin_a):
    invitation = _invite(admin_a)
    services.invitation_accept(invitation=invitation, password=PASSWORD)
    with pytest.raises(ApplicationError, match="deactivate the member"):
        services.invitation_revoke(invitation=invitation)


def test_resending_gives_a_new_link_and_voids_the_old_one(admin_a):
    invitation = _invite(admin_a)
    old_token = _link_token(invitation)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        resent = services.invitation_resend(invitation=invitation)
        assert resent.state(timezone.now()) == InvitationState.PENDING
        assert selectors.invitation_for_token(token=old_token) is None
        assert selectors.invitation_for_token(token=_link_token(resent)) == resent


def test_a_forged_or_truncated_link_finds_nothing(admin_a):
    token = _link_token(_invite(admin_a))
    assert selectors.invitation_for_token(token=token[:-2]) is None
    assert selectors.invitation_for_token(token="nonsense") is None


def test_an_existing_account_joins_only_as_itself(admin_a, member_b):
    invitation = _invite(admin_a, email=member_b.user.email)
    with pytest.raises(ApplicationError, match="log in to accept"):
        services.invitation_accept(invitation=invitation, password=PASSWORD)
    with pytest.raises(ApplicationError, match="log in as that person"):
        services.invitation_accept(invitation=invitation, user=UserFactory())
    membership = services.invitation_accept(invitation=invitation, user=member_b.user)
    assert membership.organization == admin_a.organization
    assert member_b.user.memberships.count() == 2


def test_deactivated_members_lose_access_but_keep_their_account(admin_a, viewer_a):
    services.membership_update(membership=viewer_a.membership, active=False)
    assert membership_for_user(viewer_a.user) is None
    assert selectors.membership_role(user=viewer_a.user, organization=admin_a.organization) is None
    assert User.objects.filter(pk=viewer_a.user.pk).exists()
    services.membership_update(membership=viewer_a.membership, active=True)
    assert membership_for_user(viewer_a.user) == viewer_a.membership


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(admin_a):
    with pytest.raises(ApplicationError, match="last admin") as caught:
        services.membership_update(membership=admin_a.membership, active=False)
    assert caught.value.field == "active"
    with pytest.raises(ApplicationError, match="last admin"):
        services.membership_update(membership=admin_a.membership, role=Role.EDITOR)


def test_a_deactivated_admin_does_not_count_as_another_admin(admin_a):
    other = MembershipFactory(organization=admin_a.organization, role=Role.ADMIN)
    services.membership_update(membership=other, active=False)
    with pytest.raises(ApplicationError, match="last admin"):
        services.membership_update(membership=admin_a.membership, active=False)
    services.membership_update(membership=other, active=True)
    services.membership_update(membership=admin_a.membership, active=False)
    assert not Membership.objects.get(pk=admin_a.membership.pk).active


def test_membership_follows_the_chosen_organization_and_falls_back_to_the_oldest(admin_a, org_b):
    in_b = MembershipFactory(user=admin_a.user, organization=org_b, role=Role.VIEWER)
    assert membership_for_user(admin_a.user) == admin_a.membership
    assert membership_for_user(admin_a.user).organization_count == 2
    assert membership_for_user(admin_a.user, organization_id=org_b.pk) == in_b
    assert membership_for_user(admin_a.user, organization_id=OrganizationFactory().pk) == admin_a.membership
    services.membership_update(membership=in_b, active=False)
    chosen = membership_for_user(admin_a.user, organization_id=org_b.pk)
    assert chosen == admin_a.membership
    assert chosen.organization_count == 1


def test_new_organization_with_its_first_admin(db):
    organization = services.organization_create(
        slug="acme", name="Acme", admin_email="Founder@Acme.test", time_zone="Europe/Madrid", language="es"
    )
    user = User.objects.get(username="founder@acme.test")
    assert user.email == "founder@acme.test"
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role) == (organization, Role.ADMIN)
    assert (organization.time_zone, organization.language) == ("Europe/Madrid", "es")


def test_new_organization_reuses_the_account_of_an_existing_address(member_b):
    services.organization_create(slug="acme", name="Acme", admin_email=member_b.user.email)
    assert member_b.user.memberships.count() == 2
    assert member_b.user.has_usable_password()


def test_new_organization_is_all_or_nothing(db):
    with pytest.raises(ApplicationError):
        services.organization_create(slug="acme", name="Acme", admin_email="nobody")
    assert not User.objects.exists()
    assert not Organization.objects.filter(slug="acme").exists()
