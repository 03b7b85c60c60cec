"""Celery tasks of notifications: thin, idempotent (every send is claimed first), safe to run twice."""

from celery import shared_task

from notifications import services

SWEEP_EXPIRES_SECONDS = 5 * 60
DIGEST_EXPIRES_SECONDS = 60 * 60


@shared_task(name="notifications.email", acks_late=True, reject_on_worker_lost=True)
def notification_email_task(notification_id: int) -> bool:
    """Send one notification's mail if it is still pending (a retried task sends nothing twice)."""
    return services.notification_email_send(notification_id=notification_id)


@shared_task(name="notifications.channel_post", acks_late=True, reject_on_worker_lost=True)
def channel_message_post_task(message_id: int) -> bool:
    """Post one chat message if it is still pending."""
    return services.channel_message_send(message_id=message_id)


@shared_task(name="notifications.sweep", expires=SWEEP_EXPIRES_SECONDS)
def notifications_sweep_task() -> int:
    """Periodic: queue the mails and chat messages left pending (broker down at commit, failed tries)."""
    mails = services.pending_sweep()
    messages = services.channel_sweep()
    services.email_enqueue(mails)
    if messages:
        from notifications.services.channels import channel_message_enqueue

        channel_message_enqueue(messages)
    return len(mails) + len(messages)


@shared_task(name="notifications.digests", expires=DIGEST_EXPIRES_SECONDS)
def digests_send_task() -> int:
    """Periodic, every hour: the weekly check-in digests of the people whose digest hour it is."""
    return services.digests_send()
