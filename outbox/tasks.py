from celery import shared_task

from outbox import services


@shared_task(name="outbox.sweep", expires=60)
def outbox_sweep_task() -> int:
    """Periodic (every minute): send what the outbox still holds, then drop week-old sent rows."""
    sent = services.outbox_sweep()
    services.outbox_purge()
    return sent


@shared_task(name="common.heartbeat", expires=60)
def heartbeat_task() -> None:
    """Periodic (every minute): the worker's proof of life, read by /readyz."""
    services.heartbeat_record(name="worker")
