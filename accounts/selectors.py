"""Reads of the accounts domain."""

from django.db.models import QuerySet

from accounts.models import ApiToken, Organization, Team


def team_list(*, organization: Organization | None) -> QuerySet[Team]:
    return Team.objects.for_organization(organization).select_related("parent", "lead")


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_user(user)
