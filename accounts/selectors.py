"""Reads of the accounts domain."""

from django.db.models import QuerySet

from accounts.choices import Role
from accounts.models import ApiToken, Membership, Organization, Team


def team_list(*, organization: Organization | None) -> QuerySet[Team]:
    return Team.objects.for_organization(organization).select_related("parent", "lead")


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_user(user)


def membership_role(*, user, organization: Organization | int) -> str | None:
    """The user's role in the organization, or None when they are not a member."""
    if user is None or not getattr(user, "pk", None):
        return None
    organization_id = getattr(organization, "pk", organization)
    return (
        Membership.objects.filter(user=user, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )


def user_can_write(*, user, organization: Organization | int) -> bool:
    return membership_role(user=user, organization=organization) in (Role.ADMIN, Role.EDITOR)


def user_is_admin(*, user, organization: Organization | int) -> bool:
    return membership_role(user=user, organization=organization) == Role.ADMIN
