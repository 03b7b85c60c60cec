"""The transactional outbox: record a task inside the write's transaction, send it after the commit.

`outbox_add` writes a row in the current transaction, so the work exists exactly when the write
does. After the commit, one attempt sends it to the broker; a broker that is down leaves the row
pending, and the worker's sweeper (`outbox.sweep`, every minute) sends it later. A row is claimed by
compare-and-set before it is sent, so two senders never send it together; a sender that dies after
publishing but before marking the row leaves it to be sent again once its claim lapses, which is why
every task routed through here must be idempotent.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import Heartbeat, OutboxMessage

logger = logging.getLogger(__name__)

# A claimed row whose sender did not finish is sent again after this long.
CLAIM_SECONDS = 60
# Publishing to a broker that is down must not hold up a request: one quick try, then the sweeper.
PUBLISH_RETRY_POLICY = {"max_retries": 0}


def outbox_add(*, task: str, args: list, queue: str = "") -> OutboxMessage:
    """Record `task(*args)` in the current transaction; it is sent once the transaction commits."""
    message = OutboxMessage.objects.create(task=task, args=args, queue=queue)
    _send_after_commit(message.pk)
    return message


def _send_after_commit(message_id: int) -> None:
    """One robust after-commit callback per transaction sends all its messages (a KPI sync makes many).

    An id written in a savepoint that is later rolled back may stay in the list; its row is gone, so
    the claim skips it.
    """
    connection = transaction.get_connection()
    for _, callback, _ in connection.run_on_commit if connection.in_atomic_block else []:
        ids = getattr(callback, "outbox_ids", None)
        if ids is not None:
            ids.append(message_id)
            return
    ids = [message_id]

    def send():
        send.outbox_ids = None  # messages added from now on get a callback of their own
        outbox_send(message_ids=ids)

    send.outbox_ids = ids
    transaction.on_commit(send, robust=True)


def outbox_send(*, message_ids: list[int], now=None) -> int:
    """Send these pending messages to the broker; returns how many were sent. Never raises."""
    sent = 0
    for message_id in message_ids:
        if not _claim(message_id, now=now or timezone.now()):
            continue
        message = OutboxMessage.objects.get(pk=message_id)
        try:
            _publish(message)
        except Exception as error:  # noqa: BLE001 - any broker failure leaves the row pending
            logger.warning(
                "Outbox message %s (%s) not sent; it stays pending: %s", message.pk, message.task, error
            )
            OutboxMessage.objects.filter(pk=message.pk).update(
                claimed_until=None, last_error=str(error)[:2000]
            )
            break  # the broker is down: the rest wait for the sweeper too
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="")
        sent += 1
    return sent


def outbox_sweep(*, now=None, limit: int = 500) -> int:
    """Send the oldest pending messages (the periodic sweeper and the worker's start); how many were sent."""
    now = now or timezone.now()
    ids = list(
        OutboxMessage.objects.pending()
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return outbox_send(message_ids=ids, now=now)


def outbox_purge(*, older_than: timedelta = timedelta(days=7), now=None) -> int:
    """Delete messages sent more than `older_than` ago."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def heartbeat_record(*, name: str, now=None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": now or timezone.now()})


def _claim(message_id: int, *, now) -> bool:
    claimed = (
        OutboxMessage.objects.pending()
        .filter(pk=message_id)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1)
    )
    return claimed == 1


def _publish(message: OutboxMessage) -> None:
    from config.celery import app

    options = {"queue": message.queue} if message.queue else {}
    options |= {"retry": True, "retry_policy": PUBLISH_RETRY_POLICY}
    task = app.tasks.get(message.task)
    if task is None:  # not imported in this process: publish by name
        app.send_task(message.task, args=message.args, **options)
    else:  # the registered task honours task_always_eager and its own options
        task.apply_async(args=message.args, **options)
