from django.db import transaction

from okrs.models import KeyResult, Objective
from webhooks import events as webhook_events

OBJECTIVE_EDITABLE = [
    "cycle",
    "title",
    "description",
    "type",
    "so_what",
    "outcome_kind",
    "owner",
    "team",
    "state",
    "priority",
    "parent",
]
KEY_RESULT_EDITABLE = [
    "title",
    "owner",
    "kind",
    "unit",
    "start_value",
    "target_value",
    "due_date",
    "weight",
    "confidence",
    "kpi",
    "kpi_window",
]


@transaction.atomic
def objective_create(**fields) -> Objective:
    """Create an objective after validating its alignment (same organization, no loop in the cascade)."""
    objective = Objective(**fields)
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def objective_update(*, objective: Objective, **fields) -> Objective:
    previous_state = objective.state
    for name, value in fields.items():
        if name not in OBJECTIVE_EDITABLE:
            raise TypeError(f"{name} is not an editable field of an objective")
        setattr(objective, name, value)
    objective.full_clean()
    objective.save()
    webhook_events.objective_state_changed(objective, previous_state=previous_state)
    return objective


@transaction.atomic
def key_result_create(*, objective: Objective, **fields) -> KeyResult:
    """Create a key result; its current value starts at its start value until the first check-in."""
    fields.setdefault("current_value", fields.get("start_value"))
    if fields.get("due_date") is None:
        fields["due_date"] = objective.cycle.end
    key_result = KeyResult(objective=objective, **fields)
    key_result.full_clean()
    key_result.save()
    return key_result


@transaction.atomic
def key_result_update(*, key_result: KeyResult, **fields) -> KeyResult:
    """Update a key result's definition; its current value changes only through check-ins."""
    for name, value in fields.items():
        if name not in KEY_RESULT_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a key result")
        setattr(key_result, name, value)
    key_result.full_clean()
    key_result.save()
    return key_result
