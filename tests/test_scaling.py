"""Scale-out: Celery queues by workload (routing settings and the compose profile that runs a worker per
queue), and the database setting PgBouncer's transaction pooling needs."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TASKS = [
    "okrs.recompute",
    "kpis.refresh",
    "webhooks.deliver",
    "notifications.email",
    "outbox.sweep",
    "common.heartbeat",
]
PROBE = f"""
import json, django
django.setup()
from config.celery import app
print(json.dumps({{name: app.amqp.router.route({{}}, name)["queue"].name for name in {TASKS!r}}}))
"""


def _routes(**env) -> dict:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_task_goes_to_the_default_queue_unless_queues_by_workload_are_on():
    assert set(_routes(CELERY_QUEUES_BY_WORKLOAD="0").values()) == {"celery"}


def test_queues_by_workload_route_each_kind_of_work_to_its_queue():
    assert _routes(CELERY_QUEUES_BY_WORKLOAD="1") == {
        "okrs.recompute": "recompute",
        "kpis.refresh": "recompute",
        "webhooks.deliver": "webhooks",
        "notifications.email": "notifications",
        "outbox.sweep": "celery",
        "common.heartbeat": "celery",
    }


def test_the_compose_file_runs_a_worker_per_queue_in_its_scale_profile():
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    environment = {**os.environ, "SECRET_KEY": "compose-validation-secret", "CELERY_QUEUES_BY_WORKLOAD": "1"}
    result = subprocess.run(
        [str(binary), "--profile", "scale", "config", "--format", "json"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    queues = {
        name: service["command"][service["command"].index("-Q") + 1]
        for name, service in services.items()
        if "worker" in name
    }
    # The main worker reads every queue, so nothing waits when the profile is off; the profile adds one
    # worker for the recomputations and one for webhooks and mail.
    assert queues["worker"] == settings.CELERY_ALL_QUEUES
    assert queues["worker-recompute"] == "recompute"
    assert queues["worker-integrations"] == "webhooks,notifications"
    assert all(service["environment"]["CELERY_QUEUES_BY_WORKLOAD"] == "1" for service in services.values()
               if "environment" in service and "DATABASE_URL" in service["environment"])  # fmt: skip


def test_server_side_cursors_can_be_turned_off_for_pgbouncer():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rumbo_probe",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
