import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from okrs.choices import Status
from okrs.models import KeyResult, RollUp
from okrs.tasks import progress_recompute_all_task, progress_recompute_task
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import KeyResultFactory

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_recompute_task_is_a_no_op_for_a_deleted_organization():
    assert progress_recompute_task.run(organization_id=987654) == {
        "skipped": True,
        "key_results": 0,
        "objectives": 0,
    }


@pytest.mark.django_db
def test_recompute_all_fans_out_one_task_per_organization(monkeypatch):
    sent = []
    monkeypatch.setattr(
        progress_recompute_task, "apply_async", lambda args, expires: sent.append((args, expires))
    )
    KeyResultFactory.create_batch(2)
    assert progress_recompute_all_task.run() == 2
    assert len(sent) == 2
    assert all(expires == 15 * 60 for _, expires in sent)


def test_reliability_settings_of_the_recompute_tasks():
    assert progress_recompute_task.acks_late is True
    assert progress_recompute_task.reject_on_worker_lost is True
    assert progress_recompute_all_task.expires == 15 * 60
    assert app.conf.worker_prefetch_multiplier == 1
    if settings.REDIS_URL:
        assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


@pytest.mark.django_db
def test_default_schedule_is_in_the_database_scheduler():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="okrs.recompute_all")
    assert (task.interval.every, task.interval.period) == (15, "minutes")
    assert task.expire_seconds == 15 * 60


def _worker_environment() -> dict:
    """The worker process must open the test database, not the development one."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_recomputation_through_the_broker(tmp_path):
    key_result = KeyResultFactory(
        current_value=Decimal(50),
        last_check_in_at=timezone.now() - timedelta(days=1),
        objective__team=None,
        objective__cycle__start=timezone.localdate() - timedelta(days=30),
        objective__cycle__end=timezone.localdate() + timedelta(days=30),
    )
    objective = key_result.objective
    objective.team = TeamFactory(organization=objective.cycle.organization)
    objective.save()
    assert key_result.status == Status.NOT_STARTED
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed after the worker stops
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=_worker_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        app.send_task("okrs.recompute", args=[objective.cycle.organization_id])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not RollUp.objects.filter(team=objective.team).exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    key_result = KeyResult.objects.get(pk=key_result.pk)
    assert RollUp.objects.filter(team=objective.team).exists(), (tmp_path / "worker.log").read_text()
    assert key_result.status == Status.ON_TRACK
    assert key_result.progress == Decimal("0.5")
