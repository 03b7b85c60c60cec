"""Writes of the accounts domain: teams and personal API tokens."""

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import signals
from accounts.models import ApiToken, Organization, Team
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
