"""A webhook receiver over real HTTP on 127.0.0.1, and Celery run eagerly in this process.

Outbound requests to 127.0.0.0/8 are refused unless OUTBOUND_ALLOWED_NETWORKS lists it, so these tests
allow loopback for their local receiver; tests of the refusal set the setting back to [].
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@dataclass
class Receiver:
    url: str
    requests: list = field(default_factory=list)
    # Status codes to answer with, in order; the last one repeats.
    statuses: list = field(default_factory=lambda: [200])
    delay_seconds: float = 0

    def events(self, name: str) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if r["headers"]["X-Rumbo-Event"] == name]


@pytest.fixture
def receiver():
    state = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            box = state["receiver"]
            box.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
            time.sleep(box.delay_seconds)
            status = box.statuses[min(len(box.requests) - 1, len(box.statuses) - 1)]
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/rumbo")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def eager_celery():
    from config.celery import app

    # Not propagating lets an eager retry run again at once, as Celery's apply() does; assertions on
    # the deliveries and the receiver catch any error.
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False
