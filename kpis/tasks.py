from celery import shared_task

from kpis import services
from kpis.models import Kpi

RECOMPUTE_EXPIRES_SECONDS = 5 * 60


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
    run = services.kpi_refresh(organization_id=organization_id, full=full)
    if run is None:
        return {"skipped": True}
    return {"state": run.state, "kpis": run.kpis_recomputed, "periods": run.periods_recomputed}
