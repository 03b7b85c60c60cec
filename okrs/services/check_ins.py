from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from common.transactions import on_commit_once
from okrs.choices import CheckInSource, CycleState
from okrs.models import CheckIn, KeyResult
from okrs.services.progress import key_result_apply_rules, objective_apply_rules, thresholds_for
from webhooks import events as webhook_events


@transaction.atomic
def check_in_create(
    *,
    key_result: KeyResult,
    value: Decimal,
    confidence: int,
    author=None,
    note: str = "",
    source: str = CheckInSource.MANUAL,
    checked_in_at: datetime | None = None,
) -> CheckIn:
    """Record a check-in; the latest one sets the key result's current value and confidence.

    The key result's own progress and status, and its objective's, are refreshed at once so the
    person sees the effect; roll-ups to teams and priorities follow in the recomputation task.
    """
    key_result = (
        KeyResult.objects.select_for_update()
        .select_related("objective__cycle__organization")
        .get(pk=key_result.pk)
    )
    if key_result.objective.cycle.state == CycleState.CLOSED:
        raise ApplicationError(_("The cycle is closed; its key results take no more check-ins."))
    if key_result.kpi_id and source != CheckInSource.KPI_SYNC:
        raise ApplicationError(
            _("This key result follows a KPI; its value comes from the KPI."), field="value"
        )
    check_in = CheckIn(
        key_result=key_result,
        value=value,
        confidence=confidence,
        note=note,
        author=author,
        source=source,
        checked_in_at=checked_in_at or timezone.now(),
        previous_value=key_result.current_value,
    )
    check_in.full_clean()
    check_in.save()
    if key_result.last_check_in_at is None or check_in.checked_in_at >= key_result.last_check_in_at:
        key_result.current_value = check_in.value
        key_result.confidence = check_in.confidence
        key_result.last_check_in_at = check_in.checked_in_at
    previous_status = key_result.status
    _refresh(key_result)
    organization_id = key_result.objective.cycle.organization_id
    webhook_events.check_in_created(check_in, organization_id=organization_id)
    webhook_events.key_result_status_changed(
        key_result, previous_status=previous_status, organization_id=organization_id
    )
    on_commit_once(f"okrs.recompute:{organization_id}", lambda: _enqueue_recompute(organization_id))
    return check_in


def _refresh(key_result: KeyResult) -> None:
    objective = key_result.objective
    organization = objective.cycle.organization
    now, thresholds = timezone.now(), thresholds_for(organization)
    key_result_apply_rules(key_result, now=now, thresholds=thresholds)
    key_result.save()
    siblings = [kr if kr.pk != key_result.pk else key_result for kr in objective.key_results.all()]
    objective_apply_rules(objective, siblings, now=now, thresholds=thresholds)
    objective.save(
        update_fields=["progress", "expected_progress", "status", "last_check_in_at", "updated_at"]
    )


def _enqueue_recompute(organization_id: int) -> None:
    from okrs.tasks import progress_recompute_task

    progress_recompute_task.delay(organization_id)
