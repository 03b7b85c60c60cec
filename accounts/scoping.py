"""The one mechanism that ties a request to an organization.

Pages (through OrganizationMiddleware) and the API (through accounts.api) both ask
`membership_for_user`; every selector then takes that organization, so an object of another
organization is simply not found (404) rather than forbidden (403).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Membership


def membership_for_user(user) -> Membership | None:
    """The membership a signed-in user works in (their oldest one), with its organization."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user=user)
        .order_by("created_at", "pk")
        .first()
    )


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
