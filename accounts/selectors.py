"""Reads of the accounts domain."""

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.crypto import constant_time_compare

from accounts.choices import Role
from accounts.models import ApiToken, Invitation, Membership, Organization, Team


def user_list(
    *, organization: Organization | int | None, owners: bool = False, active: bool = False
) -> QuerySet:
    """People of the organization by name: every member, only active ones, or only those who may own
    objectives, key results and initiatives (active editors and admins: a viewer could not check in)."""
    users = get_user_model().objects.filter(memberships__organization=organization)
    if owners:
        users = users.filter(memberships__role__in=[Role.ADMIN, Role.EDITOR], memberships__active=True)
    elif active:
        users = users.filter(memberships__active=True)
    return users.order_by("first_name", "last_name", "username").distinct()


def team_list(*, organization: Organization | None) -> QuerySet[Team]:
    """The organization's teams by name, with their parent and lead."""
    return Team.objects.for_organization(organization).select_related("parent", "lead").order_by("name", "pk")


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_user(user)


def membership_role(*, user, organization: Organization | int) -> str | None:
    """The user's role in the organization, or None when they are not an active member."""
    if user is None or not getattr(user, "pk", None):
        return None
    organization_id = getattr(organization, "pk", organization)
    return (
        Membership.objects.filter(user=user, organization_id=organization_id, active=True)
        .values_list("role", flat=True)
        .first()
    )


def user_can_write(*, user, organization: Organization | int) -> bool:
    return membership_role(user=user, organization=organization) in (Role.ADMIN, Role.EDITOR)


def user_is_admin(*, user, organization: Organization | int) -> bool:
    return membership_role(user=user, organization=organization) == Role.ADMIN


def member_list(*, organization: Organization | None) -> QuerySet[Membership]:
    """Every member of the organization, active ones first, with their user and teams."""
    return (
        Membership.objects.for_organization(organization)
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-active", "user__username", "pk")
    )


def invitation_list(*, organization: Organization | None) -> QuerySet[Invitation]:
    """The organization's invitations, newest first, with who sent them and their teams."""
    return (
        Invitation.objects.for_organization(organization)
        .select_related("invited_by")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
    )


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link points to, whatever its state; None for a link that is forged or replaced."""
    from accounts import emails

    read = emails.invitation_token_read(token)
    if read is None:
        return None
    pk, key = read
    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=pk).first()
    if invitation is None or not constant_time_compare(invitation.key, key):
        return None
    return invitation


def user_for_email(*, email: str):
    """The account of an address: the one whose username is the address, else one with that email."""
    email = email.strip()
    return (
        get_user_model()
        .objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
        .order_by(
            Case(When(username__iexact=email, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "pk",
        )
        .first()
    )


def organization_switch_list(*, user) -> QuerySet[Membership]:
    """The person's active memberships, with their organizations, to choose where to work."""
    return (
        Membership.objects.filter(user=user)
        .active()
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
