from celery import shared_task

from accounts.models import Organization
from okrs import services

RECOMPUTE_EXPIRES_SECONDS = 15 * 60


@shared_task(name="okrs.recompute_all", expires=RECOMPUTE_EXPIRES_SECONDS)
def progress_recompute_all_task() -> int:
    """Periodic: fan out one recomputation per organization."""
    organization_ids = list(Organization.objects.values_list("pk", flat=True))
    for organization_id in organization_ids:
        progress_recompute_task.apply_async(args=[organization_id], expires=RECOMPUTE_EXPIRES_SECONDS)
    return len(organization_ids)


@shared_task(name="okrs.recompute", acks_late=True, reject_on_worker_lost=True)
def progress_recompute_task(organization_id: int) -> dict:
    """Recompute one organization's progress, status, snapshots and roll-ups (idempotent)."""
    result = services.progress_recompute(organization_id=organization_id)
    return {"skipped": result.skipped, "key_results": result.key_results, "objectives": result.objectives}
