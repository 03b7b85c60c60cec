"""Create, change and delete cycles and priorities, and delete objectives and key results."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.exceptions import ApplicationError
from okrs import lifecycle
from okrs.choices import CycleState
from okrs.models import Cycle, Priority
from okrs.services.guards import cycle_lock, ensure_cycle_open
from okrs.services.progress import progress_refresh

CYCLE_EDITABLE = ["name", "start", "end", "state"]
PRIORITY_EDITABLE = ["title", "description", "owner", "order", "weight", "active"]


@transaction.atomic
def cycle_create(*, organization: Organization, **fields) -> Cycle:
    if fields.get("state") == CycleState.CLOSED:
        raise ApplicationError(_("A new cycle cannot start closed."), field="state")
    cycle = Cycle(organization=organization, **fields)
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def cycle_update(*, cycle: Cycle, **fields) -> Cycle:
    """Change a cycle; closing goes through cycle_close, which also scores the key results."""
    _check_editable(fields, CYCLE_EDITABLE, "cycle")
    stored = cycle_lock(cycle.pk)
    changes = {name: value for name, value in fields.items() if getattr(stored, name) != value}
    if not changes:
        return cycle
    error = lifecycle.cycle_transition_error(stored.state, changes.get("state", stored.state))
    if error:
        raise ApplicationError(error, field="state")
    ensure_cycle_open(stored)
    for name, value in changes.items():
        setattr(cycle, name, value)
    cycle.full_clean()
    cycle.save()
    # New dates move every expected progress and status of the cycle.
    progress_refresh(cycle_ids=[cycle.pk])
    return cycle


@transaction.atomic
def cycle_delete(*, cycle: Cycle) -> None:
    if cycle.objectives.exists():
        raise ApplicationError(_("This cycle has objectives; delete or move them first."))
    cycle.delete()


@transaction.atomic
def priority_create(*, organization: Organization, **fields) -> Priority:
    priority = Priority(organization=organization, **fields)
    priority.full_clean()
    priority.save()
    return priority


@transaction.atomic
def priority_update(*, priority: Priority, **fields) -> Priority:
    _check_editable(fields, PRIORITY_EDITABLE, "priority")
    for name, value in fields.items():
        setattr(priority, name, value)
    priority.full_clean()
    priority.save()
    return priority


@transaction.atomic
def priority_delete(*, priority: Priority) -> None:
    """Delete a priority; its objectives stay, without a priority."""
    priority.delete()


def _check_editable(fields: dict, editable: list[str], entity: str) -> None:
    for name in fields:
        if name not in editable:
            raise TypeError(f"{name} is not an editable field of a {entity}")
