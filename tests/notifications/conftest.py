"""Fixtures of the notification tests: eager Celery, a chat receiver on 127.0.0.1, and an OKR tree."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.choices import Role
from tests.accounts.factories import MembershipFactory, TeamFactory, UserFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def eager_celery():
    from config.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@dataclass
class ChatReceiver:
    url: str
    bodies: list[dict] = field(default_factory=list)
    status: int = 200


@pytest.fixture
def chat_receiver():
    """An incoming-webhook receiver on 127.0.0.1, allowed by OUTBOUND_ALLOWED_NETWORKS for the test."""
    state = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length", 0))
            receiver = state["receiver"]
            receiver.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = ChatReceiver(url=f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with override_settings(OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        yield state["receiver"]
    server.shutdown()
    server.server_close()


@dataclass
class Tree:
    cycle: object
    team: object
    objective: object
    key_result: object
    owner: object
    teammate: object


@pytest.fixture
def tree(org_a):
    """An active objective of the Sales team with one key result; its owner and a teammate are members."""
    team = TeamFactory(organization=org_a, name="Sales")
    owner = MembershipFactory(organization=org_a, role=Role.EDITOR, user=UserFactory(username="owner")).user
    teammate_membership = MembershipFactory(
        organization=org_a, role=Role.VIEWER, user=UserFactory(username="teammate")
    )
    teammate_membership.teams.add(team)
    cycle = CycleFactory(organization=org_a, name="Q4")
    objective = ObjectiveFactory(cycle=cycle, owner=owner, team=team, title="Grow pipeline")
    key_result = KeyResultFactory(objective=objective, owner=owner, title="Qualified leads")
    return Tree(cycle, team, objective, key_result, owner, teammate_membership.user)
