from celery import shared_task
from django.conf import settings

from webhooks import services

# Both tasks are safe to run twice (deliveries are unique per event, an attempt is claimed before it is
# sent), so they acknowledge late: a worker killed mid-task leaves the message to be delivered again.
LATE_ACK = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="webhooks.dispatch", **LATE_ACK)
def webhook_dispatch_task(
    organization_id: int, event: str, data: dict, occurred_at: str, event_id: str
) -> int:
    """Create the deliveries of one event and send each in its own task (idempotent on event_id)."""
    delivery_ids = services.webhook_dispatch(
        organization_id=organization_id, event=event, data=data, occurred_at=occurred_at, event_id=event_id
    )
    _queue(delivery_ids)
    return len(delivery_ids)


@shared_task(name="webhooks.deliver", bind=True, max_retries=None, **LATE_ACK)
def webhook_deliver_task(self, delivery_id: str) -> bool:
    """One attempt; a failed one is retried with exponential backoff until WEBHOOK_MAX_ATTEMPTS."""
    result = services.delivery_attempt(delivery_id=delivery_id)
    if result.retry:
        countdown = services.retry_delay_seconds(result.attempts)
        raise self.retry(countdown=countdown, queue=settings.WEBHOOK_CELERY_QUEUE)
    return result.delivered


@shared_task(name="webhooks.sweep")
def webhook_sweep_task() -> int:
    """Periodic: queue again the pending deliveries whose task was lost (a crash between writing the
    rows and queuing their tasks, a broker outage, a dropped retry)."""
    delivery_ids = services.pending_delivery_sweep()
    _queue(delivery_ids)
    return len(delivery_ids)


def _queue(delivery_ids) -> None:
    for delivery_id in delivery_ids:
        webhook_deliver_task.apply_async(args=[str(delivery_id)], queue=settings.WEBHOOK_CELERY_QUEUE)
