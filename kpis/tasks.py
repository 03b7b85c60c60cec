"""KPI recomputation in the background: a few seconds after new measurements, and on a schedule.

New measurements ask for a recomputation of their organization once their transaction has committed
(`kpi_refresh_schedule`, called through `transaction.on_commit` by kpis.services.ingestion). The first
request of a burst sets a "pending" marker in the cache and enqueues one task a couple of seconds
ahead; the requests that follow while the marker is set add nothing, since that task will see their
measurements. The task clears the marker before it reads the watermark, so a batch that commits while
it runs schedules the next one. The periodic `kpis.recompute_all` stays as a safety net: it catches up
after a broker outage or a lost task.
"""

import logging

from celery import shared_task
from django.core.cache import cache

from kpis import services
from kpis.models import Kpi
from kpis.services.recompute import kpi_recompute_running

logger = logging.getLogger(__name__)

RECOMPUTE_EXPIRES_SECONDS = 5 * 60
# Batches arriving within this many seconds of the first one are recomputed by the same run.
REFRESH_COUNTDOWN_SECONDS = 2
# A marker outlives a task that never ran (broker or worker lost) by no more than this.
PENDING_TTL_SECONDS = 60
# Publishing to a broker that is down must not hold the request up for long.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _pending_key(organization_id: int) -> str:
    return f"kpis.refresh.pending:{organization_id}"


def kpi_refresh_schedule(organization_id: int) -> bool:
    """Recompute the organization's KPIs in a few seconds unless a run is already pending.

    Call it after the transaction that stored measurements has committed. Returns True when a task
    was enqueued. A broker (or cache) that is down is logged, not raised: the measurements are stored,
    and the next batch or the periodic run (every 5 minutes) recomputes them.
    """
    key = _pending_key(organization_id)
    try:
        if not cache.add(key, 1, timeout=PENDING_TTL_SECONDS):
            return False
        kpi_refresh_task.apply_async(
            args=[organization_id],
            countdown=REFRESH_COUNTDOWN_SECONDS,
            expires=RECOMPUTE_EXPIRES_SECONDS,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception:
        logger.warning(
            "Could not enqueue the KPI recomputation of organization %s; the periodic run will do it.",
            organization_id,
            exc_info=True,
        )
        _forget(key)
        return False
    return True


def _forget(key: str) -> None:
    """Drop a marker whose task was never enqueued, so that the next batch tries again."""
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Could not clear %s; it expires in %s s.", key, PENDING_TTL_SECONDS, exc_info=True)


@shared_task(name="kpis.recompute_all", expires=RECOMPUTE_EXPIRES_SECONDS)
def kpi_recompute_all_task() -> int:
    """Periodic: one recomputation per organization that has KPIs."""
    organization_ids = list(
        Kpi.objects.order_by("organization_id").values_list("organization_id", flat=True).distinct()
    )
    for organization_id in organization_ids:
        kpi_recompute_task.apply_async(args=[organization_id], expires=RECOMPUTE_EXPIRES_SECONDS)
    return len(organization_ids)


@shared_task(name="kpis.recompute", acks_late=True, reject_on_worker_lost=True)
def kpi_recompute_task(organization_id: int, full: bool = False) -> dict:
    """Recompute one organization's KPIs, then its KPI-linked key results and OKR progress (idempotent)."""
    return _refresh(organization_id, full=full)


@shared_task(name="kpis.refresh", acks_late=True, reject_on_worker_lost=True)
def kpi_refresh_task(organization_id: int) -> dict:
    """After new measurements: an incremental recomputation of the organization (idempotent).

    When another run of the organization is still going, it may have read its watermark before the
    new measurements committed: this one is put off for a moment rather than skipped.
    """
    cache.delete(_pending_key(organization_id))
    if kpi_recompute_running(organization_id=organization_id):
        kpi_refresh_schedule(organization_id)
        return {"deferred": True}
    return _refresh(organization_id)


def _refresh(organization_id: int, *, full: bool = False) -> dict:
    run = services.kpi_refresh(organization_id=organization_id, full=full)
    if run is None:
        return {"skipped": True}
    return {"state": run.state, "kpis": run.kpis_recomputed, "periods": run.periods_recomputed}
