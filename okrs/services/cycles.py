"""Closing a cycle and adjusting scores: the one path used by the page, the API and the admin."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from okrs import signals
from okrs.choices import CycleState, ObjectiveState
from okrs.models import Cycle, KeyResult, Objective, ObjectiveStateChange
from okrs.services.guards import cycle_lock, ensure_admin
from okrs.services.progress import progress_refresh


@transaction.atomic
def cycle_close(*, cycle: Cycle, user=None) -> Cycle:
    """Close a cycle for good: its active objectives close and every key result is scored by its progress.

    Figures are brought up to date first, so each score is the progress shown in the preview. From
    now on the cycle is read-only; only owners' score adjustments remain possible.
    """
    cycle = cycle_lock(cycle.pk)
    if user is not None:
        ensure_admin(user, organization_id=cycle.organization_id, action=_("close a cycle"))
    if cycle.is_closed:
        raise ApplicationError(_("This cycle is already closed."))
    now = timezone.now()
    progress_refresh(cycle_ids=[cycle.pk], now=now)
    closing = list(Objective.objects.filter(cycle=cycle, state=ObjectiveState.ACTIVE).select_related("cycle"))
    # One save per row (not a bulk update), so that the activity history records each change.
    for objective in closing:
        objective.state, objective.closed_at = ObjectiveState.CLOSED, now
        objective.save(update_fields=["state", "closed_at", "updated_at"])
    ObjectiveStateChange.objects.bulk_create(
        ObjectiveStateChange(
            objective=objective,
            from_state=ObjectiveState.ACTIVE,
            to_state=ObjectiveState.CLOSED,
            user=user,
            reason=_("The cycle was closed."),
        )
        for objective in closing
    )
    cycle.state, cycle.closed_at = CycleState.CLOSED, now
    cycle.save(update_fields=["state", "closed_at", "updated_at"])
    progress_refresh(cycle_ids=[cycle.pk], now=now)
    for objective in closing:
        signals.objective_state_changed.send(
            sender=Objective, objective=objective, previous_state=ObjectiveState.ACTIVE
        )
    return cycle


@transaction.atomic
def key_result_score_set(*, key_result: KeyResult, score: Decimal, reason: str, user) -> KeyResult:
    """The owner adjusts a closed key result's score, saying why; its objective's score follows."""
    cycle_id = KeyResult.objects.filter(pk=key_result.pk).values_list("objective__cycle_id", flat=True).get()
    cycle_lock(cycle_id)
    key_result = KeyResult.objects.select_related("objective").get(pk=key_result.pk)
    if key_result.objective.state != ObjectiveState.CLOSED:
        raise ApplicationError(_("Key results are scored when their objective or cycle closes."))
    if user is None or user.pk != key_result.owner_id:
        raise ApplicationError(_("Only the key result's owner can adjust its score."))
    if not (reason or "").strip():
        raise ApplicationError(_("Say why the score differs from the progress."), field="score_reason")
    key_result.score = score
    key_result.score_reason = reason.strip()
    key_result.full_clean()
    key_result.save(update_fields=["score", "score_reason", "updated_at"])
    progress_refresh(cycle_ids=[cycle_id])
    key_result.refresh_from_db()
    return key_result
