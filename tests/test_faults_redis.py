"""Drill: Redis disappears and comes back. Pages and the API keep answering, nothing is lost.

The test starts its own redis-server on a free port in a temporary folder and a real Celery worker
pointed at it, stops Redis, makes API calls and a page check-in, starts Redis again and expects the
check-in's webhook (kept in the outbox meanwhile) at a local receiver, sent by the same worker.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient

from outbox import services as outbox_services
from outbox.models import OutboxMessage
from tests.conftest import REQUIRE_SERVICES
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory
from tests.webhooks.conftest import receiver  # noqa: F401 - the local HTTP receiver fixture
from tests.webhooks.factories import WebhookEndpointFactory

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        REDIS_SERVER is None and not REQUIRE_SERVICES,
        reason="redis-server is not installed; the Redis outage drill needs it (CI sets REQUIRE_SERVICES=1)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on its own port and folder; stopped and started at will."""

    def __init__(self, folder: Path):
        assert REDIS_SERVER, "REQUIRE_SERVICES=1 but redis-server is not installed"
        self.folder = folder
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"


def _start_worker(redis_url: str, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8",
        "WEBHOOK_CELERY_QUEUE": "celery",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", "celery"]
    command += ["--loglevel", "INFO", "--without-mingle", "--without-gossip"]
    with open(log_path, "w") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_until(predicate, *, seconds: float, worker=None, log_path=None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        if worker is not None:
            assert worker.poll() is None, f"the worker exited:\n{log_path.read_text()}"
        time.sleep(0.2)
    return False


@pytest.fixture
def redis_app(redis_server, settings):
    """This process's cache and Celery app pointed at the test's Redis, as a web server's would be."""
    from config.celery import app

    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url}
    cache["OPTIONS"] = {"socket_connect_timeout": 0.5, "socket_timeout": 1}
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url = redis_server.url
    app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS | {
        "socket_connect_timeout": 0.5
    }
    app._pool = None
    app.amqp._producer_pool = None
    with override_settings(CACHES={"default": cache}, OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        yield app
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url, app.conf.broker_transport_options = previous


@pytest.mark.django_db(transaction=True)
def test_redis_outage_loses_nothing_and_the_worker_survives(
    editor_a,
    receiver,  # noqa: F811 - the fixture imported above
    redis_server,
    redis_app,
    tmp_path,
):
    objective = ObjectiveFactory(cycle=CycleFactory(organization=editor_a.organization), owner=editor_a.user)
    key_result = KeyResultFactory(objective=objective, owner=editor_a.user)
    WebhookEndpointFactory(organization=editor_a.organization, url=receiver.url, events=["check_in.created"])
    log_path = tmp_path / "worker.log"
    worker = _start_worker(redis_server.url, log_path)
    try:
        assert _wait_until(
            lambda: "ready." in log_path.read_text(), seconds=30, worker=worker, log_path=log_path
        )
        redis_server.stop()

        api = APIClient()
        api.force_authenticate(editor_a.user)
        for _ in range(3):  # the throttle reads the cache on each call: it lets them through
            assert api.get("/api/v1/objectives/").status_code == 200
        page = Client()
        page.force_login(editor_a.user)
        url = f"/okrs/key-results/{key_result.pk}/check-ins/"
        form_page = page.get(url)
        assert form_page.status_code == 200
        token = re.search(r'name="form_token" value="([^"]+)"', form_page.content.decode()).group(1)
        response = page.post(url, {"value": "42", "confidence": "7", "form_token": token})
        assert response.status_code == 302  # saved, then shown: not a 500 after the commit
        key_result.refresh_from_db()
        assert key_result.current_value == 42
        htmx = page.post(url, {"value": "43", "confidence": "7"}, headers={"HX-Request": "true"})
        assert htmx.status_code == 200
        messages = list(OutboxMessage.objects.filter(task="webhooks.dispatch").order_by("pk"))
        assert [m.args[1] for m in messages].count("check_in.created") == 2
        assert all(m.sent_at is None for m in messages)  # pending: the broker refused the first one
        assert "Connection refused" in messages[0].last_error

        redis_server.start()
        assert outbox_services.outbox_sweep() == len(messages)  # the sweeper's run once Redis is back
        delivered = _wait_until(
            lambda: len(receiver.events("check_in.created")) == 2,
            seconds=20,
            worker=worker,
            log_path=log_path,
        )
        assert delivered, log_path.read_text()
        values = sorted(event["data"]["check_in"]["value"] for event in receiver.events("check_in.created"))
        assert values == ["42", "43"]
        assert worker.poll() is None, log_path.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
