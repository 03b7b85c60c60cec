"""The one mechanism that ties a request to an organization.

Pages (through OrganizationMiddleware) and the API (through accounts.api) both ask
`membership_for_user`; every selector then takes that organization, so an object of another
organization is simply not found (404) rather than forbidden (403).

A person who belongs to several organizations works in one at a time: the one they chose from the
menu (kept in the session under ORGANIZATION_SESSION_KEY), else their oldest active membership.
An inactive (deactivated) membership never counts.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404

from accounts.models import Membership, Profile

ORGANIZATION_SESSION_KEY = "accounts.organization_id"


def membership_for_user(user, *, organization_id: int | None = None) -> Membership | None:
    """The active membership a signed-in user works in, with its organization (one query).

    `organization_id` is the organization the person chose; when they have no active membership
    there (any more), their oldest active membership is used instead. The membership carries
    `organization_count`, the number of organizations the person can switch between.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = Membership.objects.filter(user=user).active()
    count = (
        Membership.objects.filter(user=OuterRef("user"), active=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    chosen_first = Case(
        When(organization_id=organization_id, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    # The person's own language preference rides along (accounts.Profile; "" when they have none).
    preference = Profile.objects.filter(user=OuterRef("user")).values("language")[:1]
    return (
        memberships.select_related("organization")
        .annotate(
            organization_count=Subquery(count, output_field=IntegerField()),
            person_language=Subquery(preference, output_field=CharField()),
        )
        .order_by(chosen_first, "created_at", "pk")
        .first()
    )


def membership_for_request(request) -> Membership | None:
    """The membership of the signed-in person of a page request, honouring their chosen organization."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    return membership_for_user(user, organization_id=request.session.get(ORGANIZATION_SESSION_KEY))


def membership_required(view):
    """A page that needs an organization: 404 for a signed-in person without one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None:
            raise Http404("You are not a member of any organization.")
        return view(request, *args, **kwargs)

    return wrapper


def write_required(view):
    """A page that changes data: viewers are refused (403); they may still read."""

    @wraps(view)
    @membership_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_write:
            raise PermissionDenied("Viewers cannot change data.")
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    """An organization settings page: only the organization's admins (403 for editors and viewers)."""

    @wraps(view)
    @membership_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            raise PermissionDenied("Only organization admins can change the organization's settings.")
        return view(request, *args, **kwargs)

    return wrapper
