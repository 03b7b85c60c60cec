"""Schemathesis against the live schema: no server error, and every response conforms to the schema.

A real server (pytest-django's live_server, on 127.0.0.1) answers requests authenticated with an
admin's token, so that every operation, writes included, is exercised.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from accounts import services as account_services
from accounts.choices import Role
from tests.accounts.factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory
from tests.okrs.factories import (
    CheckInFactory,
    CycleFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PriorityFactory,
)

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.fixture
def seeded_token():
    """An admin's token, and a little of everything so that generated ids sometimes hit real rows."""
    organization = OrganizationFactory(name="Fuzzed", slug="fuzzed")
    admin = MembershipFactory(
        user=UserFactory(username="fuzz-admin"), organization=organization, role=Role.ADMIN
    ).user
    cycle = CycleFactory(organization=organization, name="Fuzz cycle")
    team = TeamFactory(organization=organization, name="Fuzz team")
    priority = PriorityFactory(organization=organization)
    objective = ObjectiveFactory(cycle=cycle, team=team, priority=priority, owner=admin)
    ObjectiveFactory(cycle=cycle, parent=objective, owner=admin)
    CheckInFactory(key_result=KeyResultFactory(objective=objective, owner=admin))
    _token, raw = account_services.api_token_create(user=admin, name="schemathesis")
    return raw


@pytest.mark.django_db(transaction=True)
def test_api_conforms_to_its_schema(live_server, seeded_token, settings, tmp_path):
    from config.celery import app

    # Many requests from one token: lift the throttle for this run only.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "1000000/hour"},
    }
    # Background work runs in the server's thread, never on a broker other test runs could read.
    app.conf.task_always_eager = True
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{live_server.url}/api/v1/schema/",
                "--url",
                live_server.url,
                "--header",
                f"Authorization: Bearer {seeded_token}",
                "--checks",
                CHECKS,
                "--phases",
                "examples,fuzzing",
                "--max-examples",
                "40",
                "--workers",
                "1",
                "--seed",
                "20261123",
                "--generation-database",
                "none",
                "--request-timeout",
                "20",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path),
            ],
            # Schemathesis keeps a cache in its working directory: the test's own folder, not the project.
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        app.conf.task_always_eager = False
    output = result.stdout + result.stderr
    (tmp_path / "schemathesis.txt").write_text(output)
    assert result.returncode == 0, output[-20000:]
    assert "No issues found" in output or "passed" in output
