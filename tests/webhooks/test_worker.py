"""A real Celery worker sends the webhook of a committed check-in, retrying a failed attempt."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks.models import WebhookDelivery

ROOT = Path(__file__).resolve().parents[2]


def _worker_environment(queue: str) -> dict:
    """The worker opens the test database and listens only to this test's queue."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "WEBHOOK_CELERY_QUEUE": queue,
        "WEBHOOK_RETRY_BASE_SECONDS": "1",
        "WEBHOOK_MAX_ATTEMPTS": "3",
        "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8",  # the test's receiver
    }


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_and_retries(editor_a, receiver, settings, tmp_path):
    queue = f"webhooks-test-{uuid.uuid4().hex[:8]}"
    settings.WEBHOOK_CELERY_QUEUE = queue
    objective = ObjectiveFactory(cycle=CycleFactory(organization=editor_a.organization), owner=editor_a.user)
    key_result = KeyResultFactory(objective=objective, owner=editor_a.user)
    endpoint = WebhookEndpointFactory(
        organization=editor_a.organization, url=receiver.url, events=["check_in.created"]
    )
    receiver.statuses = [503, 200]
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "solo"]
            + ["--loglevel", "INFO", "--without-heartbeat", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env=_worker_environment(queue),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            client = APIClient()
            client.force_authenticate(editor_a.user)
            response = client.post(
                "/api/v1/check-ins/",
                {"key_result": key_result.pk, "value": "30", "confidence": 6},
                format="json",
            )
            assert response.status_code == 201
            assert receiver.requests == []  # the request itself sent nothing
            deadline = time.monotonic() + 90
            while (
                time.monotonic() < deadline and not WebhookDelivery.objects.filter(state="succeeded").exists()
            ):
                assert worker.poll() is None, log_path.read_text()
                time.sleep(0.5)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.state, delivery.attempts, delivery.response_status_code) == ("succeeded", 2, 200), (
        log_path.read_text()
    )
    assert [r["headers"]["X-Rumbo-Delivery"] for r in receiver.requests] == [str(delivery.pk)] * 2
    assert receiver.events("check_in.created")[0]["data"]["check_in"]["id"] == response.json()["id"]
