"""Reads of notifications: inboxes, preferences, recipients and the key results a digest lists."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from accounts.models import Membership, Organization, Team
from notifications.models import (
    Notification,
    NotificationDefaults,
    NotificationPreference,
    ObjectiveFollower,
    TeamChannel,
)
from okrs.choices import CycleState, ObjectiveState
from okrs.models import KeyResult, Objective

User = get_user_model()


def notification_list(*, user, organization: Organization | None) -> QuerySet[Notification]:
    """A person's notifications in one organization, newest first."""
    return Notification.objects.for_recipient(user=user, organization=organization).order_by(
        "-created_at", "-pk"
    )


def unread_count(*, user, organization: Organization) -> int:
    """How many of a person's notifications in the organization are unread (one COUNT on an index)."""
    return Notification.objects.for_recipient(user=user, organization=organization).unread().count()


def defaults_for(*, organization: Organization) -> NotificationDefaults:
    """The organization's stored defaults, or the built-in ones (unsaved) when none were stored."""
    defaults = NotificationDefaults.objects.filter(organization=organization).first()
    return defaults or NotificationDefaults(organization=organization)


def preference_for(*, user, organization: Organization, defaults: NotificationDefaults | None = None):
    """A person's stored preferences, or (unsaved) the organization's defaults in its time zone."""
    stored = NotificationPreference.objects.filter(user=user, organization=organization).first()
    if stored is not None:
        return stored
    return preference_default(user=user, organization=organization, defaults=defaults)


def preference_default(*, user, organization: Organization, defaults=None) -> NotificationPreference:
    defaults = defaults or defaults_for(organization=organization)
    return NotificationPreference(
        user=user,
        organization=organization,
        events=list(defaults.events),
        email=defaults.email,
        digest_weekday=defaults.digest_weekday,
        digest_hour=defaults.digest_hour,
        time_zone=organization.time_zone,
    )


def preferences_of(*, organization: Organization, user_ids) -> dict[int, NotificationPreference]:
    """The preferences (stored or default) of these people in the organization, by user id (two queries)."""
    defaults = defaults_for(organization=organization)
    stored = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(organization=organization, user_id__in=set(user_ids))
    }
    return {
        pk: stored.get(pk)
        or preference_default(user=User(pk=pk), organization=organization, defaults=defaults)
        for pk in set(user_ids)
    }


def active_member_ids(*, organization_id: int, user_ids) -> set[int]:
    """Those of `user_ids` who are active members of the organization: nobody else is ever told anything."""
    return set(
        Membership.objects.filter(
            organization_id=organization_id, user_id__in=set(user_ids), active=True
        ).values_list("user_id", flat=True)
    )


def team_member_ids(*, team_id: int | None) -> set[int]:
    if team_id is None:
        return set()
    return set(Membership.objects.filter(teams=team_id, active=True).values_list("user_id", flat=True))


def follower_ids(*, objective_id: int) -> set[int]:
    return set(ObjectiveFollower.objects.filter(objective_id=objective_id).values_list("user_id", flat=True))


def is_following(*, objective: Objective, user) -> bool:
    return ObjectiveFollower.objects.filter(objective=objective, user=user).exists()


def objective_for_follow(*, organization: Organization | None, pk: int) -> Objective | None:
    return Objective.objects.filter(cycle__organization=organization, pk=pk).first()


def key_results_due(*, user, organization: Organization, now: datetime) -> list[KeyResult]:
    """The person's key results due for a check-in: they own them, their objective is active in a cycle
    that is not closed, and they have had no check-in within the organization's cadence."""
    cutoff = now - timedelta(days=organization.check_in_cadence_days)
    return list(
        KeyResult.objects.filter(
            owner=user,
            objective__cycle__organization=organization,
            objective__state=ObjectiveState.ACTIVE,
        )
        .exclude(objective__cycle__state=CycleState.CLOSED)
        .filter(Q(last_check_in_at__isnull=True) | Q(last_check_in_at__lt=cutoff))
        .select_related("objective")
        .order_by("last_check_in_at", "objective__position", "position", "pk")
    )


def digest_members() -> QuerySet[Membership]:
    """Every active membership, with its organization, for the hourly digest run."""
    return Membership.objects.filter(active=True).select_related("organization", "user").order_by("pk")


def team_channel_list(*, organization: Organization | None) -> QuerySet[TeamChannel]:
    return TeamChannel.objects.filter(team__organization=organization).select_related("team")


def team_list(*, organization: Organization | None) -> QuerySet[Team]:
    return Team.objects.filter(organization=organization).order_by("name")


def channels_for(*, team_id: int | None, event: str) -> list[TeamChannel]:
    """The team's active channels that receive `event`."""
    if team_id is None:
        return []
    channels = TeamChannel.objects.filter(team_id=team_id, active=True)
    return [channel for channel in channels if event in channel.events]
