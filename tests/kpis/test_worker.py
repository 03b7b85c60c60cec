"""A real Celery worker brings a posted measurement to the key result that follows its KPI within seconds,
with no periodic run."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from kpis.choices import Aggregation, Cadence
from kpis.models import KpiRun
from okrs.choices import KpiWindow
from okrs.models import KeyResult
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

ROOT = Path(settings.BASE_DIR)


def _worker_environment() -> dict:
    """The worker opens the test database; the broker folder (CELERY_FILESYSTEM_FOLDER) is inherited."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}


def _start_worker(log_path: Path):
    log = open(log_path, "w")  # noqa: SIM115 - closed after the worker stops
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--purge",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
        ]
        + ["--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env=_worker_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "ready." not in log_path.read_text():
        assert worker.poll() is None, log_path.read_text()
        time.sleep(0.2)
    return worker, log


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_posted_measurement_reaches_the_key_result_within_seconds(editor_a, tmp_path):
    organization = editor_a.organization
    today = timezone.localdate()
    kpi = KpiFactory(
        organization=organization, code="pipeline", cadence=Cadence.DAILY, aggregation=Aggregation.LAST
    )
    cycle = CycleFactory(
        organization=organization, start=today - timedelta(days=30), end=today + timedelta(days=60)
    )
    key_result = KeyResultFactory(
        objective=ObjectiveFactory(cycle=cycle),
        kpi=kpi,
        kpi_window=KpiWindow.LATEST_PERIOD,
        target_value=Decimal(1000),
    )
    cache.clear()
    worker, log = _start_worker(tmp_path / "worker.log")
    try:
        client = APIClient()
        client.force_authenticate(editor_a.user)
        started = time.monotonic()
        response = client.post(
            "/api/v1/measurements/",
            [{"kpi": "pipeline", "timestamp": timezone.now().isoformat(), "value": "420"}],
            format="json",
        )
        assert response.status_code == 201
        while time.monotonic() - started < 60:
            if KeyResult.objects.get(pk=key_result.pk).current_value == Decimal(420):
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(420), (tmp_path / "worker.log").read_text()
    assert key_result.progress == Decimal("0.42")
    assert elapsed < 15, elapsed
    # One run did it: the one the measurement asked for, not a periodic one.
    assert list(KpiRun.objects.values_list("state", flat=True)) == ["succeeded"]
    assert "kpis.refresh" in (tmp_path / "worker.log").read_text()
