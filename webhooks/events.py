"""The events Rumbo sends to webhooks, emitted by the OKR services inside their transaction.

Emitting writes one outbox row (outbox.services) and sends nothing: after the commit, the row becomes
one Celery task per event, and that task creates the deliveries and sends them in the worker. A slow
or failing receiver therefore never holds up a request or the recomputation, and a broker that is
down at commit time loses nothing.
"""

import json
import logging
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from okrs.choices import Status
from outbox.services import outbox_add
from webhooks.choices import WebhookEvent

logger = logging.getLogger(__name__)


def emit(*, organization_id: int, event: str, data: dict) -> None:
    """Send `event` to the organization's subscribed endpoints once the current transaction commits.

    The event is an outbox row written in this transaction: it exists exactly when the write does,
    and a broker that is down at commit time only delays it (the outbox sweeper sends it later).
    """
    occurred_at = timezone.now().isoformat()
    event_id = str(uuid.uuid4())
    # Plain JSON now, so that the task message holds what was true at the time of the event.
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    outbox_add(
        task="webhooks.dispatch",
        args=[organization_id, event, payload, occurred_at, event_id],
        queue=settings.WEBHOOK_CELERY_QUEUE,
    )


def _key_result_data(key_result, previous_status: str | None = None) -> dict:
    data = {
        "id": key_result.pk,
        "title": key_result.title,
        "objective_id": key_result.objective_id,
        "status": key_result.status,
        "progress": key_result.progress,
        "current_value": key_result.current_value,
        "target_value": key_result.target_value,
        "last_check_in_at": key_result.last_check_in_at,
    }
    if previous_status is not None:
        data["previous_status"] = previous_status
    return data


def key_result_status_changed(key_result, *, previous_status: str, organization_id: int) -> None:
    """Emit key_result.status_changed (and key_result.achieved) when the status moved."""
    if key_result.status == previous_status:
        return
    data = {"key_result": _key_result_data(key_result, previous_status)}
    emit(organization_id=organization_id, event=WebhookEvent.KEY_RESULT_STATUS_CHANGED, data=data)
    if key_result.status == Status.ACHIEVED:
        emit(organization_id=organization_id, event=WebhookEvent.KEY_RESULT_ACHIEVED, data=data)


def objective_state_changed(objective, *, previous_state: str) -> None:
    if objective.state == previous_state:
        return
    data = {
        "objective": {
            "id": objective.pk,
            "title": objective.title,
            "cycle_id": objective.cycle_id,
            "state": objective.state,
            "previous_state": previous_state,
        }
    }
    emit(
        organization_id=objective.cycle.organization_id,
        event=WebhookEvent.OBJECTIVE_STATE_CHANGED,
        data=data,
    )


def check_in_created(check_in, *, organization_id: int) -> None:
    data = {
        "check_in": {
            "id": check_in.pk,
            "key_result_id": check_in.key_result_id,
            "value": check_in.value,
            "previous_value": check_in.previous_value,
            "confidence": check_in.confidence,
            "note": check_in.note,
            "source": check_in.source,
            "author_id": check_in.author_id,
            "checked_in_at": check_in.checked_in_at,
        },
        "key_result": _key_result_data(check_in.key_result),
    }
    emit(organization_id=organization_id, event=WebhookEvent.CHECK_IN_CREATED, data=data)
