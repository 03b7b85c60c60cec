"""Fault drill: a Celery worker killed while it recomputes an organization does not block the next run.

The worker is started from a small wrapper that pauses each run half-way, with its organization lock
held (the KPI run inside its transaction, the OKR run after its first cycle), so the test can SIGKILL it
there. The next run must start at once, not after a time to live, and leave the figures a clean run
leaves.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from common.locks import lock_is_held
from kpis import services as kpi_services
from kpis import tasks as kpi_tasks
from kpis.choices import Aggregation, Cadence, MeasurementSource, RunState
from kpis.models import KpiRun, KpiValue
from okrs import services as okr_services
from okrs import tasks as okr_tasks
from okrs.models import KeyResult, Objective
from tests.kpis.factories import KpiFactory
from tests.kpis.test_worker import _worker_environment
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PAUSING_WORKER = """
import os, sys, time
from pathlib import Path

import django

django.setup()
from kpis.services import recompute
from okrs.services import progress


def pausing(function):
    def paused(*args, **kwargs):
        result = function(*args, **kwargs)
        Path(os.environ["DRILL_MARKER"]).write_text("holding the lock")
        time.sleep(120)
        return result

    return paused


recompute._recompute = pausing(recompute._recompute)
progress.cycle_refresh = pausing(progress.cycle_refresh)
from celery.__main__ import main

sys.argv = ["celery", "-A", "config", "worker", "--purge", "--pool", "solo", "--loglevel", "INFO",
            "--without-heartbeat", "--without-mingle", "--without-gossip"]
main()
"""


def _start_pausing_worker(tmp_path: Path):
    log_path, marker = tmp_path / "worker.log", tmp_path / "holding"
    log = open(log_path, "w")  # noqa: SIM115 - closed after the worker is killed
    worker = subprocess.Popen(
        [sys.executable, "-c", PAUSING_WORKER],
        cwd=settings.BASE_DIR,
        env={**_worker_environment(), "DRILL_MARKER": str(marker)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        assert worker.poll() is None and time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.1)
    return worker, log, log_path, marker


def _kill_while_holding(worker, log, log_path: Path, marker: Path, is_held) -> None:
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert worker.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
        assert is_held(), "the paused run holds the organization's lock"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        log.close()
    deadline = time.monotonic() + 5  # the server notices the closed connection within moments
    while is_held():
        assert time.monotonic() < deadline, "the lock outlived its killed holder"
        time.sleep(0.05)


def _kpi_values(organization) -> dict:
    return {
        (v.kpi.code, v.period_start): (v.value, v.measurement_count, v.status, v.previous_value, v.change)
        for v in KpiValue.objects.filter(kpi__organization=organization).select_related("kpi")
    }


def test_a_killed_kpi_run_does_not_block_the_next_one(admin_a, tmp_path):
    organization = admin_a.organization
    KpiFactory(organization=organization, code="won", cadence=Cadence.DAILY, aggregation=Aggregation.SUM)
    KpiFactory(organization=organization, code="closed", cadence=Cadence.DAILY, aggregation=Aggregation.SUM)
    KpiFactory(organization=organization, code="rate", cadence=Cadence.DAILY, formula="100 * won / closed")
    now = timezone.now()
    rows = [
        {"kpi": code, "timestamp": (now - timedelta(days=day)).isoformat(), "value": str(value + day)}
        for day in range(10)
        for code, value in (("won", 3), ("closed", 8))
    ]
    kpi_services.measurements_ingest(organization=organization, rows=rows, source=MeasurementSource.API)
    KpiRun.objects.all().delete()
    worker, log, log_path, marker = _start_pausing_worker(tmp_path)
    kpi_tasks.kpi_refresh_task.delay(organization.pk)
    _kill_while_holding(
        worker,
        log,
        log_path,
        marker,
        lambda: lock_is_held("kpis.recompute", organization.pk),
    )

    started = time.monotonic()
    run = kpi_services.kpi_recompute(organization_id=organization.pk)
    assert run.state == RunState.SUCCEEDED, run.error
    assert time.monotonic() - started < 10
    interrupted = KpiRun.objects.get(state=RunState.FAILED)
    assert "Interrupted" in interrupted.error
    after_kill = _kpi_values(organization)
    assert after_kill[("rate", timezone.localdate(now))][0] == Decimal("37.5")  # 100 * 3 / 8

    KpiValue.objects.filter(kpi__organization=organization).delete()
    clean = kpi_services.kpi_recompute(organization_id=organization.pk, full=True)
    assert clean.state == RunState.SUCCEEDED
    assert _kpi_values(organization) == after_kill


def _okr_figures(organization) -> dict:
    key_results = KeyResult.objects.filter(objective__cycle__organization=organization)
    objectives = Objective.objects.filter(cycle__organization=organization)
    return {
        "key_results": sorted(key_results.values_list("pk", "progress", "status")),
        "objectives": sorted(objectives.values_list("pk", "progress", "status")),
    }


def test_a_killed_okr_recomputation_does_not_block_the_next_one(admin_a, tmp_path):
    organization = admin_a.organization
    today = timezone.localdate()
    for offset in (0, 1):
        cycle = CycleFactory(
            organization=organization,
            start=today - timedelta(days=30 + 100 * offset),
            end=today + timedelta(days=60 - 100 * offset),
        )
        for value in (25, 50, 75):
            KeyResultFactory(
                objective=ObjectiveFactory(cycle=cycle),
                start_value=Decimal(0),
                target_value=Decimal(100),
                current_value=Decimal(value),
            )
    okr_services.progress_recompute(organization_id=organization.pk)  # a clean run
    expected = _okr_figures(organization)
    assert {progress for _, progress, _ in expected["key_results"]} == {
        Decimal("0.25"),
        Decimal("0.5"),
        Decimal("0.75"),
    }
    KeyResult.objects.filter(objective__cycle__organization=organization).update(progress=0)
    Objective.objects.filter(cycle__organization=organization).update(progress=0)

    worker, log, log_path, marker = _start_pausing_worker(tmp_path)
    okr_tasks.progress_recompute_task.delay(organization.pk)
    _kill_while_holding(
        worker, log, log_path, marker, lambda: lock_is_held("okrs.recompute", organization.pk)
    )

    started = time.monotonic()
    result = okr_services.progress_recompute(organization_id=organization.pk)
    assert not result.skipped
    assert time.monotonic() - started < 10
    assert _okr_figures(organization) == expected
