"""People's notification preferences, their organization's defaults, and following objectives."""

from django.db import IntegrityError, transaction

from accounts.models import Organization
from notifications import selectors
from notifications.models import NotificationDefaults, NotificationPreference, ObjectiveFollower
from okrs.models import Objective

PREFERENCE_EDITABLE = ["events", "email", "digest_weekday", "digest_hour", "time_zone"]
DEFAULTS_EDITABLE = [
    "events",
    "email",
    "digest_weekday",
    "digest_hour",
    "alert_after_evaluations",
    "emails_per_hour",
]


def _assign(instance, editable: list[str], fields: dict) -> None:
    for name, value in fields.items():
        if name not in editable:
            raise TypeError(f"{name} cannot be changed here")
        setattr(instance, name, value)


@transaction.atomic
def preference_update(*, user, organization: Organization, **fields) -> NotificationPreference:
    """Store a person's preferences (starting from the organization's defaults the first time)."""
    preference = (
        NotificationPreference.objects.select_for_update()
        .filter(user=user, organization=organization)
        .first()
    )
    if preference is None:
        preference = selectors.preference_default(user=user, organization=organization)
    _assign(preference, PREFERENCE_EDITABLE, fields)
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def defaults_update(*, organization: Organization, **fields) -> NotificationDefaults:
    """Store the organization's notification defaults, damping threshold and hourly mail limit."""
    defaults = NotificationDefaults.objects.select_for_update().filter(organization=organization).first()
    defaults = defaults or NotificationDefaults(organization=organization)
    _assign(defaults, DEFAULTS_EDITABLE, fields)
    defaults.full_clean()
    defaults.save()
    return defaults


def objective_follow(*, objective: Objective, user) -> None:
    """Follow an objective (following twice changes nothing)."""
    try:
        with transaction.atomic():
            ObjectiveFollower.objects.get_or_create(objective=objective, user=user)
    except IntegrityError:
        pass  # followed at the same moment by another request


def objective_unfollow(*, objective: Objective, user) -> None:
    ObjectiveFollower.objects.filter(objective=objective, user=user).delete()
