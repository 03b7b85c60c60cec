"""Recording notifications, reading them, and sending their mail: once, after the commit, within limits.

`notify` writes the inbox rows in the caller's transaction (they are the outbox: a mail to send is a
row whose email_state is pending) and, once that transaction commits, queues one Celery task per mail.
A broker that is down at that moment is logged; the periodic sweeper queues what is still pending.
"""

import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts import emails
from accounts.models import Organization
from notifications import selectors
from notifications.choices import EmailState
from notifications.models import Notification

logger = logging.getLogger(__name__)
User = get_user_model()

MAX_EMAIL_ATTEMPTS = 3
# A mail claimed this long ago and never marked sent belongs to a worker that died while sending: it
# may have gone out, so it is not sent again (at most once), only marked failed.
SENDING_STALE_AFTER = timedelta(minutes=15)
# The sweeper leaves fresh pending rows to the task queued at commit.
SWEEP_GRACE = timedelta(minutes=2)


def notify(
    *,
    organization: Organization,
    user_ids,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
) -> list[Notification]:
    """Tell these people about one event (`key` names it): an inbox entry each, and a mail for those who
    want mail. People who are not active members, or who turned this kind of event off, get nothing.

    Safe to call twice with the same key: nobody is told twice. Call it inside the write's transaction.
    """
    member_ids = selectors.active_member_ids(organization_id=organization.pk, user_ids=user_ids)
    if not member_ids:
        return []
    preferences = selectors.preferences_of(organization=organization, user_ids=member_ids)
    rows = [
        Notification(
            recipient_id=user_id,
            organization=organization,
            kind=kind,
            title=title[:300],
            body=body,
            link=link[:500],
            key=f"{key}:u{user_id}"[:200],
            email_state=EmailState.PENDING if preference.email else EmailState.NONE,
        )
        for user_id, preference in sorted(preferences.items())
        if kind in preference.events
    ]
    if not rows:
        return []
    keys = [row.key for row in rows]
    told = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    new_keys = [key for key in keys if key not in told]
    Notification.objects.bulk_create([row for row in rows if row.key in new_keys], ignore_conflicts=True)
    created = list(Notification.objects.filter(key__in=new_keys).order_by("pk"))
    pending = [n.pk for n in created if n.email_state == EmailState.PENDING and n.email_attempts == 0]
    if pending:
        transaction.on_commit(lambda: email_enqueue(pending))
    return created


def email_enqueue(notification_ids: list[int]) -> None:
    """Queue one mail task per notification; a broker that is down leaves them to the sweeper."""
    from notifications.tasks import notification_email_task

    for pk in notification_ids:
        try:
            notification_email_task.apply_async(args=[pk], retry=False)
        except Exception:  # noqa: BLE001 - the rows stay pending; the sweeper queues them again
            logger.warning(
                "Could not queue the mail of notification %s; the sweeper will.", pk, exc_info=True
            )
            return


def notification_email_send(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send a notification's mail if it is still pending: at most once, within the person's hourly limit.

    Returns True when this call sent it. A retried task, or two workers holding the same message, find
    the row claimed and send nothing.
    """
    now = now or timezone.now()
    notification = _email_claim(notification_id=notification_id, now=now)
    if notification is None:
        return False
    user = notification.recipient
    context = {
        "notification": notification,
        "organization": notification.organization,
        "user": user,
        "url": emails.absolute_url(notification.link) if notification.link else "",
        "inbox_url": emails.absolute_url(reverse("notifications:inbox")),
        "preferences_url": emails.absolute_url(reverse("notifications:preferences")),
    }
    sent = bool(user.email) and emails.send(
        "notifications/notification", context, to=user.email, language=notification.organization.language
    )
    if sent:
        Notification.objects.filter(pk=notification.pk).update(email_state=EmailState.SENT, updated_at=now)
        return True
    # Not sent: the hourly allowance is given back, and the sweeper tries again a few times.
    attempts = notification.email_attempts + 1
    state = EmailState.PENDING if attempts < MAX_EMAIL_ATTEMPTS and user.email else EmailState.FAILED
    Notification.objects.filter(pk=notification.pk).update(email_state=state, emailed_at=None, updated_at=now)
    return False


@transaction.atomic
def _email_claim(*, notification_id: int, now: datetime) -> Notification | None:
    """Claim a pending mail (compare and set on its state) unless the person's hourly limit is reached."""
    notification = (
        Notification.objects.select_related("recipient", "organization").filter(pk=notification_id).first()
    )
    if notification is None or notification.email_state != EmailState.PENDING:
        return None
    # Locking the person's user row serializes their claims, so that two workers cannot both take the
    # last mail of the hour.
    User.objects.select_for_update().filter(pk=notification.recipient_id).first()
    limit = selectors.defaults_for(organization=notification.organization).emails_per_hour
    sent_last_hour = Notification.objects.filter(
        recipient=notification.recipient, emailed_at__gt=now - timedelta(hours=1)
    ).count()
    if sent_last_hour >= limit:
        Notification.objects.filter(pk=notification.pk, email_state=EmailState.PENDING).update(
            email_state=EmailState.LIMITED, updated_at=now
        )
        logger.info("Mail of notification %s not sent: the hourly limit is reached.", notification.pk)
        return None
    claimed = Notification.objects.filter(
        pk=notification.pk, email_state=EmailState.PENDING, email_attempts=notification.email_attempts
    ).update(
        email_state=EmailState.SENDING, emailed_at=now, email_attempts=F("email_attempts") + 1, updated_at=now
    )
    return notification if claimed == 1 else None


def pending_sweep(*, now: datetime | None = None) -> list[int]:
    """The mails still pending a while after their row was written (the broker was down, or a send
    failed and may be tried again); mails stuck in sending past SENDING_STALE_AFTER are marked failed."""
    now = now or timezone.now()
    stale = Notification.objects.filter(
        email_state=EmailState.SENDING, emailed_at__lt=now - SENDING_STALE_AFTER
    )
    if count := stale.update(email_state=EmailState.FAILED, updated_at=now):
        logger.warning(
            "%s notification mails were being sent by a worker that stopped; marked failed.", count
        )
    return list(
        Notification.objects.filter(email_state=EmailState.PENDING, updated_at__lt=now - SWEEP_GRACE)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


def notification_mark_read(*, notification: Notification, now: datetime | None = None) -> Notification:
    """Mark one notification read (reading it again changes nothing)."""
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_all_read(*, user, organization: Organization, now: datetime | None = None) -> int:
    """Mark every unread notification of the person in the organization read; how many were."""
    unread = Notification.objects.for_recipient(user=user, organization=organization).unread()
    return unread.update(read_at=now or timezone.now())
