"""The weekly check-in reminder: each person's key results due for a check-in, at their chosen hour."""

import logging
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organization
from notifications import rules, selectors
from notifications.choices import NotificationKind
from notifications.models import NotificationPreference
from notifications.services.inbox import notify

logger = logging.getLogger(__name__)


def digests_send(*, now: datetime | None = None) -> int:
    """Hourly: send the digest of every active member whose digest day and hour it is where they are.

    Safe to run twice in the hour (or again after a change of hour): one digest per person, organization
    and local week, by its key. Returns how many digests were recorded.
    """
    now = now or timezone.now()
    by_organization = defaultdict(list)
    for membership in selectors.digest_members():
        by_organization[membership.organization].append(membership.user)
    sent = 0
    for organization, users in by_organization.items():
        preferences = selectors.preferences_of(organization=organization, user_ids=[u.pk for u in users])
        for user in users:
            preference = preferences[user.pk]
            if NotificationKind.CHECK_IN_DIGEST not in preference.events:
                continue
            if not rules.digest_due(
                now=now,
                time_zone=preference.time_zone,
                weekday=preference.digest_weekday,
                hour=preference.digest_hour,
            ):
                continue
            sent += bool(digest_send(user=user, organization=organization, preference=preference, now=now))
    return sent


@transaction.atomic
def digest_send(*, user, organization: Organization, preference: NotificationPreference, now: datetime):
    """Record one person's digest for this local week; none when nothing is due."""
    key_results = selectors.key_results_due(user=user, organization=organization, now=now)
    if not key_results:
        return None
    week = rules.digest_week(now=now, time_zone=preference.time_zone)
    with translation.override(organization.language):
        count = len(key_results)
        title = ngettext(
            "%(count)s key result is due for a check-in",
            "%(count)s key results are due for a check-in",
            count,
        ) % {"count": count}
        lines = [_line(kr, preference.time_zone) for kr in key_results]
        created = notify(
            organization=organization,
            user_ids=[user.pk],
            kind=NotificationKind.CHECK_IN_DIGEST,
            key=f"digest:{organization.pk}:{week}",
            title=title,
            body="\n".join(lines),
            link=reverse("dashboards:my-okrs"),
        )
    return created[0] if created else None


def _line(key_result, time_zone: str) -> str:
    if key_result.last_check_in_at is None:
        last = _("no check-in yet")
    else:
        day = rules.local_now(key_result.last_check_in_at, time_zone).date()
        last = _("last check-in %(date)s") % {"date": formats.date_format(day, "SHORT_DATE_FORMAT")}
    return f"• {key_result.title} ({key_result.objective.title}): {last}"
