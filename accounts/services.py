"""Writes of the accounts domain: organizations, teams, memberships, invitations and API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts import emails, selectors, signals
from accounts.choices import InvitationState, Role
from accounts.models import ApiToken, Invitation, Membership, Organization, Profile, Team
from common.exceptions import ApplicationError

TOKEN_PREFIX = "rumbo_"
TEAM_EDITABLE = ["name", "kind", "parent", "lead"]
ORGANIZATION_EDITABLE = [
    "name",
    "currency",
    "language",
    "time_zone",
    "fiscal_year_start_month",
    "on_track_margin",
    "at_risk_margin",
    "check_in_cadence_days",
    "status_basis",
    "review_required",
    "public_diagnostic",
]
# Changing one of these changes statuses, expected progress or the periods of figures.
ORGANIZATION_RULE_FIELDS = {
    "on_track_margin",
    "at_risk_margin",
    "check_in_cadence_days",
    "status_basis",
    "time_zone",
}


@transaction.atomic
def organization_update(*, organization: Organization, **fields) -> Organization:
    """Change an organization's settings; every figure that depends on its rules is right on return."""
    changed_rules = False
    for name, value in fields.items():
        if name not in ORGANIZATION_EDITABLE:
            raise TypeError(f"{name} is not an editable field of an organization")
        changed_rules |= name in ORGANIZATION_RULE_FIELDS and getattr(organization, name) != value
        setattr(organization, name, value)
    organization.full_clean()
    organization.save()
    if changed_rules:
        signals.organization_rules_changed.send(sender=Organization, organization=organization)
    return organization


@transaction.atomic
def organization_setup_complete(*, organization: Organization) -> Organization:
    """Mark the guided start as finished (or skipped); the first time only."""
    if organization.setup_completed_at is None:
        organization.setup_completed_at = timezone.now()
        Organization.objects.filter(pk=organization.pk, setup_completed_at__isnull=True).update(
            setup_completed_at=organization.setup_completed_at
        )
    return organization


def profile_language_set(*, user, language: str) -> Profile:
    """A person's language for pages and mail; "" goes back to their organization's language."""
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.language = language
    profile.full_clean()
    profile.save(update_fields=["language", "updated_at"])
    return profile


def api_token_hash(raw: str) -> str:
    """Tokens carry 256 random bits, so one SHA-256 is enough; a slow hash would only slow every request."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry date must be in the future."), field="expires_at")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        token_hash=api_token_hash(raw),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


@transaction.atomic
def team_create(*, organization: Organization, **fields) -> Team:
    team = Team(organization=organization, **fields)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_update(*, team: Team, **fields) -> Team:
    for name, value in fields.items():
        if name not in TEAM_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a team")
        setattr(team, name, value)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_delete(*, team: Team) -> None:
    """Delete a team; its objectives stay, without a team."""
    team.delete()


@transaction.atomic
def organization_create(*, slug: str, admin_email: str | None = None, **fields) -> Organization:
    """A new organization; people join it through memberships.

    With `admin_email`, also its first admin: that person's account (a new one, whose username is the
    address, or the existing one with that address) becomes an admin, and is mailed a one-time link
    to choose a password.
    """
    for name in fields:
        if name not in ORGANIZATION_EDITABLE:
            raise TypeError(f"{name} is not an editable field of an organization")
    organization = Organization(slug=slug, **fields)
    organization.full_clean()
    organization.save()
    if admin_email is not None:
        _first_admin_add(organization, admin_email)
    return organization


@transaction.atomic
def organization_delete(*, organization: Organization) -> None:
    """Delete an organization with everything it holds (superusers, in the admin)."""
    organization.delete()


MEMBERSHIP_EDITABLE = ["role", "teams", "active"]


@transaction.atomic
def membership_create(
    *, organization: Organization, user, role: str = Role.VIEWER, teams=(), active: bool = True
) -> Membership:
    """Add a person to an organization with a role and, optionally, teams of that organization."""
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise ApplicationError(
            _("%(person)s is already a member of %(organization)s.")
            % {"person": user.get_full_name() or user.get_username(), "organization": organization.name},
            field="user",
        )
    membership = Membership(organization=organization, user=user, role=role, active=active)
    membership.full_clean()
    membership.save()
    _membership_teams_set(membership, teams)
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, **fields) -> Membership:
    """Change a person's role or teams, or deactivate (`active=False`) or reactivate them.

    A member is deactivated rather than deleted, so that history keeps their name. The organization
    always keeps at least one active admin.
    """
    for name in fields:
        if name not in MEMBERSHIP_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a membership")
    teams = fields.pop("teams", None)
    if fields.get("role", Role.ADMIN) != Role.ADMIN:
        _ensure_another_admin(membership)
    if fields.get("active", True) is False:
        _ensure_another_admin(membership, field="active")
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.full_clean()
    membership.save()
    if teams is not None:
        _membership_teams_set(membership, teams)
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    """Remove a person from an organization; the organization always keeps at least one admin."""
    _ensure_another_admin(membership)
    membership.delete()


def _ensure_another_admin(membership: Membership, field: str = "role") -> None:
    """Refuse to demote, deactivate or remove an organization's last active admin (stored roles count)."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.ADMIN, active=True)
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk]:
        raise ApplicationError(
            _("%(person)s is the organization's last admin: make someone else an admin first.")
            % {"person": membership.user.get_full_name() or membership.user.get_username()},
            field=field,
        )


def _membership_teams_set(membership: Membership, teams) -> None:
    teams = list(teams)
    if any(team.organization_id != membership.organization_id for team in teams):
        raise ApplicationError(_("Every team must belong to the membership's organization."), field="teams")
    membership.teams.set(teams)


API_TOKEN_EDITABLE = ["name", "expires_at"]


@transaction.atomic
def api_token_update(*, token: ApiToken, **fields) -> ApiToken:
    """Rename a token or change its expiry; a new expiry must be in the future."""
    for name in fields:
        if name not in API_TOKEN_EDITABLE:
            raise TypeError(f"{name} is not an editable field of an API token")
    expires_at = fields.get("expires_at")
    if expires_at is not None and expires_at != token.expires_at and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry date must be in the future."), field="expires_at")
    for name, value in fields.items():
        setattr(token, name, value.strip() if name == "name" else value)
    token.full_clean()
    token.save()
    return token


@transaction.atomic
def api_token_delete(*, token: ApiToken) -> None:
    token.delete()


# People: first admins, invitations. Mail goes out once the transaction has committed, so that
# nobody is mailed a link to something that was rolled back.

INVITATION_LIFETIME = timedelta(days=7)


def normalized_email(email: str) -> str:
    """Addresses are compared and stored lower-cased, without surrounding spaces."""
    return email.strip().lower()


def _valid_email(email: str, field: str) -> str:
    email = normalized_email(email)
    try:
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError(
            _("“%(email)s” is not an email address.") % {"email": email}, field=field
        ) from error
    return email


def _first_admin_add(organization: Organization, email: str):
    email = _valid_email(email, "admin_email")
    user = selectors.user_for_email(email=email)
    if user is None:
        user = get_user_model()(username=email, email=email)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    membership_create(organization=organization, user=user, role=Role.ADMIN)

    def send():
        emails.welcome_send(user=user, organization=organization, url=emails.password_set_url(user))

    transaction.on_commit(send, robust=True)
    return user


def _invitation_mail_after_commit(invitation: Invitation) -> None:
    """Send the invitation once committed; `sent_at` records that the mail server accepted it."""
    key = invitation.key

    def send():
        if emails.invitation_send(invitation):
            invitation.sent_at = timezone.now()
            Invitation.objects.filter(pk=invitation.pk, key=key).update(sent_at=invitation.sent_at)

    transaction.on_commit(send, robust=True)


def _teams_of(organization: Organization, teams) -> list[Team]:
    teams = list(teams)
    if any(team.organization_id != organization.pk for team in teams):
        raise ApplicationError(_("Every team must belong to the organization."), field="teams")
    return teams


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str = Role.VIEWER, teams=(), invited_by=None
) -> Invitation:
    """Invite an address to join with a role and teams; the mail holds a single-use link valid for 7 days."""
    email = _valid_email(email, "email")
    teams = _teams_of(organization, teams)
    user = selectors.user_for_email(email=email)
    membership = Membership.objects.filter(organization=organization, user=user).first() if user else None
    if membership is not None and membership.active:
        raise ApplicationError(_("%(email)s is already a member.") % {"email": email}, field="email")
    if membership is not None:
        raise ApplicationError(
            _("%(email)s is a deactivated member: reactivate them on the Members page instead.")
            % {"email": email},
            field="email",
        )
    if Invitation.objects.select_for_update().for_organization(organization).pending().filter(email=email):
        raise ApplicationError(
            _("%(email)s already has a pending invitation: resend it instead.") % {"email": email},
            field="email",
        )
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        invited_by=invited_by,
        key=secrets.token_urlsafe(32),
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    invitation.teams.set(teams)
    _invitation_mail_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send a pending or expired invitation again with a new 7-day link; older links stop working."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation was already accepted."))
    if invitation.revoked_at is not None:
        raise ApplicationError(_("This invitation was revoked: invite the person again instead."))
    invitation.key = secrets.token_urlsafe(32)
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.sent_at = None
    invitation.save(update_fields=["key", "expires_at", "sent_at", "updated_at"])
    _invitation_mail_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Revoke a pending invitation: its link stops working at once. Revoking twice keeps the first time."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ApplicationError(
            _("This invitation was already accepted: deactivate the member instead."), field="invitation"
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


INVITATION_REFUSALS = {
    InvitationState.ACCEPTED: _lazy("This invitation was already used. Log in with your password."),
    InvitationState.REVOKED: _lazy(
        "This invitation was revoked. Ask an admin of the organization for a new one."
    ),
    InvitationState.EXPIRED: _lazy(
        "This invitation expired. Ask an admin of the organization to send it again."
    ),
}


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user=None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Join the invitation's organization with its role and teams; the link cannot be used again.

    A person without an account gives a password (Django's password validators apply) and gets an
    account whose username is the invited address. A person who has one (same username or address)
    must be signed in as `user`.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=invitation.pk)
    )
    state = invitation.state(timezone.now())
    if state != InvitationState.PENDING:
        raise ApplicationError(str(INVITATION_REFUSALS[state]))
    existing = selectors.user_for_email(email=invitation.email)
    if user is None:
        if existing is not None:
            raise ApplicationError(_("You already have an account with this address: log in to accept."))
        user = _user_create(invitation.email, password, first_name=first_name, last_name=last_name)
    elif existing is None or existing.pk != user.pk:
        raise ApplicationError(
            _("This invitation is for %(email)s: log in as that person to accept it.")
            % {"email": invitation.email}
        )
    membership = membership_create(
        organization=invitation.organization, user=user, role=invitation.role, teams=invitation.teams.all()
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


def _user_create(email: str, password: str | None, **names):
    user = get_user_model()(username=email, email=email, **{k: v.strip() for k, v in names.items()})
    if not password:
        raise ApplicationError(_("Choose a password."), field="password")
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def organization_signup(
    *, name: str, email: str, password: str, first_name: str = "", last_name: str = "", language: str = "en"
) -> tuple[Organization, object]:
    """A new organization and its first admin, who chose a password (the public diagnostic's sign-up)."""
    email = _valid_email(email, "email")
    if selectors.user_for_email(email=email) is not None:
        raise ApplicationError(
            _("An account with this address already exists: log in, then ask an admin to invite you."),
            field="email",
        )
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the organization a name."), field="organization_name")
    user = _user_create(email, password, first_name=first_name, last_name=last_name)
    base = slugify(name)[:60] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organization = organization_create(slug=slug, name=name[:200], language=language)
    membership_create(organization=organization, user=user, role=Role.ADMIN)
    return organization, user
