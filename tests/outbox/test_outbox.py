"""The transactional outbox, the throttle with an unreachable cache, and the readiness check."""

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from outbox import services
from outbox.models import Heartbeat, OutboxMessage
from outbox.tasks import heartbeat_task, outbox_sweep_task

pytestmark = pytest.mark.django_db

TASK = "outbox.sweep"  # any registered task; publishing only queues it on the test broker


def _broker_down(monkeypatch):
    def refuse(message):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(services, "_publish", refuse)


def test_a_message_is_sent_after_its_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = services.outbox_add(task=TASK, args=[])
            assert OutboxMessage.objects.get(pk=message.pk).sent_at is None  # nothing sent inside
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""


def test_a_rolled_back_write_leaves_no_message():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.outbox_add(task=TASK, args=[])
        raise RuntimeError("the write failed")
    assert not OutboxMessage.objects.exists()


def test_a_broker_that_is_down_leaves_the_message_pending(monkeypatch, django_capture_on_commit_callbacks):
    _broker_down(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = services.outbox_add(task=TASK, args=[])
    message.refresh_from_db()
    assert message.sent_at is None and message.claimed_until is None and message.attempts == 1
    assert "Connection refused" in message.last_error
    monkeypatch.undo()
    assert services.outbox_sweep() == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 2 and message.last_error == ""


def test_a_claimed_message_is_not_sent_by_a_second_sender_until_the_claim_lapses():
    message = OutboxMessage.objects.create(task=TASK, args=[])
    now = timezone.now()
    assert services._claim(message.pk, now=now)  # a first sender holds it
    assert services.outbox_send(message_ids=[message.pk], now=now) == 0
    assert services.outbox_sweep(now=now) == 0
    later = now + timedelta(seconds=services.CLAIM_SECONDS + 1)  # that sender died before finishing
    assert services.outbox_sweep(now=later) == 1
    assert services.outbox_sweep(now=later) == 0  # sent once


def test_the_sweeper_sends_pending_messages_and_drops_old_sent_ones():
    old = OutboxMessage.objects.create(task=TASK, args=[], sent_at=timezone.now() - timedelta(days=8))
    pending = [OutboxMessage.objects.create(task=TASK, args=[]) for _ in range(3)]
    assert outbox_sweep_task() == 3
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
    assert OutboxMessage.objects.pending().count() == 0
    assert OutboxMessage.objects.filter(pk__in=[m.pk for m in pending]).count() == 3
    assert outbox_sweep_task() == 0  # running twice sends nothing more


def test_a_webhook_event_is_an_outbox_row_of_the_write():
    from webhooks import events

    with transaction.atomic():
        events.emit(organization_id=7, event="check_in.created", data={"check_in": {"id": 1}})
        [message] = OutboxMessage.objects.all()
    assert message.task == "webhooks.dispatch"
    assert message.args[:3] == [7, "check_in.created", {"check_in": {"id": 1}}]


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_the_api_answers_when_the_throttle_cannot_reach_the_cache(admin_a, caplog):
    client = APIClient()
    client.force_authenticate(admin_a.user)
    with override_settings(CACHES=UNREACHABLE_REDIS), caplog.at_level(logging.WARNING, "accounts.throttling"):
        response = client.get("/api/v1/objectives/")
    assert response.status_code == 200
    assert "API throttle skipped: the cache is unreachable" in caplog.text


def test_readyz_is_503_until_the_worker_and_beat_have_reported(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["checks"]["database"] == {"ok": True} and body["checks"]["broker"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is False and body["checks"]["beat"]["ok"] is False
    assert client.get("/healthz").status_code == 200  # liveness does not depend on them


def test_readyz_reports_the_heartbeat_and_beat_tick(client):
    heartbeat_task()
    PeriodicTask.objects.filter(task="common.heartbeat").update(last_run_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["age_seconds"] == 0


def test_readyz_is_503_when_the_heartbeat_is_stale(client):
    Heartbeat.objects.create(name="worker", beat_at=timezone.now() - timedelta(minutes=10))
    PeriodicTask.objects.filter(task="common.heartbeat").update(last_run_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert response.json()["checks"]["beat"]["ok"] is True


def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    heartbeat_task()
    PeriodicTask.objects.filter(task="common.heartbeat").update(last_run_at=timezone.now())
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_one_transaction_sends_its_messages_together_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        messages = [services.outbox_add(task=TASK, args=[]) for _ in range(3)]
    assert len(callbacks) == 1
    assert OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], sent_at__isnull=False).count() == 3


def test_a_message_after_the_callbacks_ran_gets_its_own(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_add(task=TASK, args=[])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = services.outbox_add(task=TASK, args=[])
    assert len(callbacks) == 1
    second.refresh_from_db()
    assert second.sent_at is not None
