"""Freshness: from a measurement posted through the API to the key result that follows its KPI.

A real Celery worker is started here against the configured broker and database (Redis when REDIS_URL
is set, which the README's figures use; the filesystem broker otherwise). Twenty times, one measurement
is posted through `POST /api/v1/measurements/` (in-process client) and `GET /api/v1/key-results/<id>/`
is polled every 50 ms until the key result shows the new value. Nothing else recomputes meanwhile: no
periodic run is scheduled, so the figure is the path the measurement itself starts (commit → task a
couple of seconds later, coalescing bursts → recomputation → key result sync). Records
`freshness_p50_s`, `freshness_p95_s` and `freshness_max_s`.
"""

import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Membership, Organization
from config.env import VAR_DIR
from kpis import services
from kpis.choices import Aggregation, Cadence, Family
from kpis.models import Kpi
from kpis.tasks import REFRESH_COUNTDOWN_SECONDS
from okrs.choices import CycleState, KeyResultKind, KpiWindow, ObjectiveState, OutcomeKind
from okrs.models import Cycle, KeyResult, Objective

SLUG = "bench-freshness"
SAMPLES = 20
POLL_SECONDS = 0.05
TIMEOUT_SECONDS = 60
ROOT = Path(settings.BASE_DIR)


def run(results: dict, scale: float = 1.0) -> None:
    """`scale` does not apply: one KPI, one key result, twenty measurements."""
    broker = "redis" if settings.REDIS_URL else "filesystem"
    print(
        f"Freshness benchmark: {SAMPLES} measurements through the API, a real worker on the {broker} broker"
    )
    organization, user = _organization()
    log_path = VAR_DIR / "bench-worker.log"
    try:
        key_result = _key_result(organization)
        cache.delete(f"kpis.refresh.pending:{organization.pk}")
        worker = _start_worker(log_path)
        # Polling every 50 ms would soon hit the API's hourly rate limit, which is not what is measured.
        unthrottled = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": None}}
        try:
            with override_settings(REST_FRAMEWORK=unthrottled):
                client = APIClient(HTTP_HOST="localhost")
                client.force_authenticate(user)
                _sample(client, key_result, Decimal(999), log_path, worker)  # warm-up, not counted
                samples = [
                    _sample(client, key_result, Decimal(1000 + i), log_path, worker) for i in range(SAMPLES)
                ]
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    finally:
        organization.delete()
    results["freshness_p50_s"] = round(statistics.median(samples), 2)
    results["freshness_p95_s"] = round(statistics.quantiles(samples, n=20, method="inclusive")[18], 2)
    results["freshness_max_s"] = round(max(samples), 2)
    results["freshness_broker"] = broker
    results["freshness_countdown_s"] = REFRESH_COUNTDOWN_SECONDS
    print(
        f"Freshness: p50 {results['freshness_p50_s']} s, p95 {results['freshness_p95_s']} s, "
        f"max {results['freshness_max_s']} s (target p95 ≤ 10 s)"
    )


def _organization():
    old = Organization.objects.filter(slug=SLUG).first()
    if old is not None:
        old.delete()
    organization = Organization.objects.create(name="Benchmark freshness", slug=SLUG)
    user, _ = get_user_model().objects.get_or_create(username="bench-freshness-admin")
    Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    return organization, user


def _key_result(organization: Organization) -> KeyResult:
    """A daily KPI (latest value) and an active key result that follows it, in an open cycle."""
    kpi = Kpi.objects.create(
        organization=organization,
        code="pipeline_value",
        name="Pipeline value",
        family=Family.SALES,
        cadence=Cadence.DAILY,
        aggregation=Aggregation.LAST,
    )
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        organization=organization,
        name="Freshness",
        start=today - timedelta(days=30),
        end=today + timedelta(days=60),
        state=CycleState.ACTIVE,
    )
    owner = Membership.objects.filter(organization=organization).first().user
    objective = Objective.objects.create(
        cycle=cycle,
        title="Keep the pipeline full",
        so_what="Next quarter's revenue.",
        outcome_kind=OutcomeKind.GROWTH,
        owner=owner,
        state=ObjectiveState.ACTIVE,
    )
    key_result = KeyResult.objects.create(
        objective=objective,
        title="Pipeline value at 5,000",
        owner=owner,
        kind=KeyResultKind.INCREASE,
        start_value=Decimal(0),
        target_value=Decimal(5000),
        current_value=Decimal(0),
        due_date=cycle.end,
        kpi=kpi,
        kpi_window=KpiWindow.LATEST_PERIOD,
    )
    services.kpi_refresh(organization_id=organization.pk)
    return key_result


def _start_worker(log_path: Path) -> subprocess.Popen:
    """A worker on the same settings, database and broker as this process; returns once it is ready."""
    log = open(log_path, "w")  # noqa: SIM115 - the worker process writes to it until it stops
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO"]
        + ["--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT,  # the environment (settings module, DATABASE_URL, REDIS_URL) is this process's
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while "ready." not in log_path.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"The Celery worker did not start; see {log_path}.")
        time.sleep(0.2)
    return worker


def _sample(client: APIClient, key_result: KeyResult, value: Decimal, log_path: Path, worker) -> float:
    """Seconds from posting `value` to the key result showing it."""
    started = time.perf_counter()
    response = client.post(
        "/api/v1/measurements/",
        [{"kpi": "pipeline_value", "timestamp": timezone.now().isoformat(), "value": str(value)}],
        format="json",
    )
    if response.status_code != 201:
        raise RuntimeError(
            f"POST /api/v1/measurements/ answered {response.status_code}: {response.content!r}"
        )
    url = f"/api/v1/key-results/{key_result.pk}/"
    while Decimal(_get(client, url)["current_value"]) != value:
        if worker.poll() is not None or time.perf_counter() - started > TIMEOUT_SECONDS:
            raise RuntimeError(
                f"The key result did not take {value} within {TIMEOUT_SECONDS} s; see {log_path}."
            )
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started


def _get(client: APIClient, url: str) -> dict:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content!r}")
    return response.json()
