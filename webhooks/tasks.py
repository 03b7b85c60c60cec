from celery import shared_task
from django.conf import settings

from webhooks import services


@shared_task(name="webhooks.dispatch")
def webhook_dispatch_task(
    organization_id: int, event: str, data: dict, occurred_at: str, event_id: str
) -> int:
    """Create the deliveries of one event and send each in its own task (idempotent on event_id)."""
    delivery_ids = services.webhook_dispatch(
        organization_id=organization_id, event=event, data=data, occurred_at=occurred_at, event_id=event_id
    )
    for delivery_id in delivery_ids:
        webhook_deliver_task.apply_async(args=[str(delivery_id)], queue=settings.WEBHOOK_CELERY_QUEUE)
    return len(delivery_ids)


@shared_task(name="webhooks.deliver", bind=True, max_retries=None)
def webhook_deliver_task(self, delivery_id: str) -> bool:
    """One attempt; a failed one is retried with exponential backoff until WEBHOOK_MAX_ATTEMPTS."""
    result = services.delivery_attempt(delivery_id=delivery_id)
    if result.retry:
        countdown = services.retry_delay_seconds(result.attempts)
        raise self.retry(countdown=countdown, queue=settings.WEBHOOK_CELERY_QUEUE)
    return result.delivered
