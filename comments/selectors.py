"""Reads of comments: threads of an objective (with its key results) or a KPI, and members to mention.

Every list runs a fixed number of queries whatever its length: the comments with their author, key
result and hider, then their mentions.
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import Membership, Organization
from comments.models import Comment

User = get_user_model()
MENTION_SUGGESTIONS = 8


def comment_list(
    *, organization: Organization | None, objective=None, key_result=None, kpi=None
) -> QuerySet[Comment]:
    """An organization's comments, oldest first; `objective` includes those on its key results."""
    filters = {}
    if objective is not None:
        filters["objective"] = objective
    if key_result is not None:
        filters["key_result"] = key_result
    if kpi is not None:
        filters["kpi"] = kpi
    mentions = User.objects.only("id", "username", "first_name", "last_name")
    return (
        Comment.objects.for_organization(organization)
        .filter(**filters)
        .select_related("author", "key_result", "hidden_by")
        .prefetch_related(Prefetch("mentions", queryset=mentions))
        .order_by("created_at", "pk")
    )


def member_usernames(*, organization: Organization | int, names: list[str]) -> QuerySet:
    """The active members of the organization whose username is one of `names` (lower-cased)."""
    if not names:
        return User.objects.none()
    members = Membership.objects.filter(organization=organization, active=True).values("user_id")
    return User.objects.annotate(lower_username=Lower("username")).filter(
        pk__in=members, lower_username__in=names
    )


def mention_suggestions(*, organization: Organization, query: str) -> list[dict]:
    """Active members whose username or name starts with `query`, to complete an @mention (one query)."""
    query = query.strip().lstrip("@")
    people = (
        Membership.objects.filter(organization=organization, active=True)
        .select_related("user")
        .order_by("user__username")
    )
    if query:
        people = people.filter(
            Q(user__username__istartswith=query)
            | Q(user__first_name__istartswith=query)
            | Q(user__last_name__istartswith=query)
        )
    return [
        {"username": m.user.username, "name": m.user.get_full_name() or m.user.username}
        for m in people[:MENTION_SUGGESTIONS]
    ]
