from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from okrs.choices import CycleState, ObjectiveState
from okrs.models import Cycle, KeyResult
from webhooks import events as webhook_events

TWO_PLACES = Decimal("0.01")


@transaction.atomic
def cycle_close(*, cycle: Cycle) -> Cycle:
    """Close a cycle: active objectives close, and each key result is scored by its progress."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.state == CycleState.CLOSED:
        raise ApplicationError(_("This cycle is already closed."))
    cycle.state = CycleState.CLOSED
    cycle.save(update_fields=["state", "updated_at"])
    closing = list(cycle.objectives.filter(state=ObjectiveState.ACTIVE))
    cycle.objectives.filter(state=ObjectiveState.ACTIVE).update(state=ObjectiveState.CLOSED)
    for objective in closing:
        objective.cycle, objective.state = cycle, ObjectiveState.CLOSED
        webhook_events.objective_state_changed(objective, previous_state=ObjectiveState.ACTIVE)
    unscored = list(KeyResult.objects.filter(objective__cycle=cycle, score__isnull=True))
    for key_result in unscored:
        key_result.score = key_result.progress.quantize(TWO_PLACES)
    KeyResult.objects.bulk_update(unscored, ["score"], batch_size=500)
    return cycle


@transaction.atomic
def key_result_score_set(*, key_result: KeyResult, score: Decimal, reason: str, user) -> KeyResult:
    """The owner adjusts a closed key result's score; the reason is required and kept."""
    if key_result.objective.cycle.state != CycleState.CLOSED:
        raise ApplicationError(_("Key results are scored when their cycle closes."))
    if user.pk != key_result.owner_id:
        raise ApplicationError(_("Only the key result's owner can adjust its score."))
    if not reason.strip():
        raise ApplicationError(_("Say why the score differs from the progress."), field="score_reason")
    key_result.score = score
    key_result.score_reason = reason.strip()
    key_result.full_clean()
    key_result.save(update_fields=["score", "score_reason", "updated_at"])
    return key_result
