"""Writes of the accounts domain: teams and personal API tokens."""

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import signals
from accounts.choices import Role
from accounts.models import ApiToken, Membership, Organization, Team
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
]
# Changing one of these changes statuses, expected progress or the periods of figures.
ORGANIZATION_RULE_FIELDS = {"on_track_margin", "at_risk_margin", "check_in_cadence_days", "time_zone"}


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
def organization_create(*, slug: str, **fields) -> Organization:
    """A new organization (superusers, in the admin); people join it through memberships."""
    for name in fields:
        if name not in ORGANIZATION_EDITABLE:
            raise TypeError(f"{name} is not an editable field of an organization")
    organization = Organization(slug=slug, **fields)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_delete(*, organization: Organization) -> None:
    """Delete an organization with everything it holds (superusers, in the admin)."""
    organization.delete()


MEMBERSHIP_EDITABLE = ["role", "teams"]


@transaction.atomic
def membership_create(*, organization: Organization, user, role: str = Role.VIEWER, teams=()) -> Membership:
    """Add a person to an organization with a role and, optionally, teams of that organization."""
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise ApplicationError(
            _("%(person)s is already a member of %(organization)s.")
            % {"person": user.get_full_name() or user.get_username(), "organization": organization.name},
            field="user",
        )
    membership = Membership(organization=organization, user=user, role=role)
    membership.full_clean()
    membership.save()
    _membership_teams_set(membership, teams)
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, **fields) -> Membership:
    """Change a person's role or teams; the organization always keeps at least one admin."""
    for name in fields:
        if name not in MEMBERSHIP_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a membership")
    teams = fields.pop("teams", None)
    if fields.get("role", Role.ADMIN) != Role.ADMIN:
        _ensure_another_admin(membership)
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


def _ensure_another_admin(membership: Membership) -> None:
    """Refuse to demote or remove the last admin of an organization (their stored role counts)."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk]:
        raise ApplicationError(
            _("%(person)s is the organization's last admin: make someone else an admin first.")
            % {"person": membership.user.get_full_name() or membership.user.get_username()},
            field="role",
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
