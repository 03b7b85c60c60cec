"""Create, change, move through the lifecycle and delete objectives and key results.

Each service locks the cycle, checks the lifecycle (okrs.lifecycle) and leaves every figure it
affects right (progress_refresh) before it returns.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from okrs import lifecycle, signals
from okrs.choices import ObjectiveState
from okrs.models import KeyResult, Objective, ObjectiveStateChange
from okrs.services import reviews
from okrs.services.guards import (
    cycle_lock,
    ensure_admin,
    ensure_can_own,
    ensure_cycle_open,
    ensure_objective_open,
)
from okrs.services.progress import progress_refresh, refresh_once

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

# Apps above okrs (kpis) register how a key result that follows a KPI gets its value, so that linking
# a key result, or activating its objective, shows the KPI's value at once.
key_result_followers: list[Callable[[list[KeyResult]], None]] = []


def _sync_followers(key_results: list[KeyResult]) -> None:
    linked = [kr for kr in key_results if kr.kpi_id]
    for follow in key_result_followers if linked else ():
        follow(linked)


@transaction.atomic
def objective_create(*, user=None, **fields) -> Objective:
    """Create an objective after validating its alignment (same organization, no loop in the cascade)."""
    objective = Objective(**fields)
    if objective.cycle_id is None:
        objective.full_clean()
    cycle = cycle_lock(objective.cycle_id)
    ensure_cycle_open(cycle)
    error = lifecycle.objective_initial_state_error(objective.state)
    if error:
        raise ApplicationError(error, field="state")
    reviews.review_initial_state_check(state=objective.state, organization=cycle.organization)
    objective.full_clean()
    ensure_can_own(objective.owner, organization_id=cycle.organization_id)
    objective.save()
    progress_refresh(cycle_ids=[cycle.pk])
    objective.refresh_from_db()
    return objective


@transaction.atomic
def objective_update(*, objective: Objective, user=None, reason: str = "", **fields) -> Objective:
    """Change an objective; a state change must be an allowed move of its lifecycle (and of its review).

    `reason` is kept with a change of state.
    """
    for name in fields:
        if name not in OBJECTIVE_EDITABLE:
            raise TypeError(f"{name} is not an editable field of an objective")
    stored = Objective.objects.get(pk=objective.pk)
    cycles = {stored.cycle_id, getattr(fields.get("cycle"), "pk", stored.cycle_id)}
    locked = {pk: cycle_lock(pk) for pk in sorted(cycles)}
    changes = {name: value for name, value in fields.items() if _differs(stored, name, value)}
    if not changes:
        return objective
    for cycle in locked.values():
        ensure_cycle_open(cycle)
    new_state = changes.get("state", stored.state)
    if stored.state == ObjectiveState.CLOSED and set(changes) != {"state"}:
        ensure_objective_open(stored)
    error = lifecycle.objective_transition_error(stored.state, new_state)
    if error:
        raise ApplicationError(error, field="state")
    organization = locked[stored.cycle_id].organization
    reviews.review_transition_check(objective=stored, new_state=new_state, organization=organization)
    for name, value in changes.items():
        setattr(objective, name, value)
    objective.full_clean()
    if "owner" in changes:
        ensure_can_own(objective.owner, organization_id=locked[objective.cycle_id].organization_id)
    if new_state != stored.state:
        _record_state_change(objective, previous_state=stored.state, user=user, reason=reason)
    objective.save()
    reviews.review_state_changed(
        objective=objective, previous_state=stored.state, user=user, organization=organization
    )
    if new_state == ObjectiveState.ACTIVE:
        _sync_followers(list(objective.key_results.all()))
    progress_refresh(cycle_ids=cycles)
    objective.refresh_from_db()
    signals.objective_state_changed.send(sender=Objective, objective=objective, previous_state=stored.state)
    return objective


@transaction.atomic
def objective_reopen(*, objective: Objective, user, reason: str) -> Objective:
    """An organization admin reopens a closed objective (closed → active), saying why; the reason is kept.

    Its scores are cleared: they are taken again when it closes.
    """
    cycle = cycle_lock(objective.cycle_id)
    objective = Objective.objects.get(pk=objective.pk)
    ensure_cycle_open(cycle)
    ensure_admin(user, organization_id=cycle.organization_id, action=_("reopen a closed objective"))
    if objective.state != ObjectiveState.CLOSED:
        raise ApplicationError(_("Only a closed objective can be reopened."), field="state")
    if not (reason or "").strip():
        raise ApplicationError(_("Say why the objective is reopened."), field="reason")
    objective.state = ObjectiveState.ACTIVE
    _record_state_change(objective, previous_state=ObjectiveState.CLOSED, user=user, reason=reason.strip())
    objective.save()
    objective.key_results.update(score=None, score_reason="", updated_at=timezone.now())
    progress_refresh(cycle_ids=[cycle.pk])
    objective.refresh_from_db()
    signals.objective_state_changed.send(
        sender=Objective, objective=objective, previous_state=ObjectiveState.CLOSED
    )
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, user=None) -> None:
    """Delete an objective and its key results; its child objectives stay, without a parent."""
    cycle = cycle_lock(objective.cycle_id)
    ensure_cycle_open(cycle)
    objective.delete()
    progress_refresh(cycle_ids=[cycle.pk])


@transaction.atomic
def key_result_create(*, objective: Objective, user=None, **fields) -> KeyResult:
    """Create a key result; its current value starts at its start value until the first check-in."""
    cycle = cycle_lock(objective.cycle_id)
    objective = Objective.objects.select_related("cycle").get(pk=objective.pk)
    ensure_cycle_open(cycle)
    ensure_objective_open(objective)
    fields.setdefault("current_value", fields.get("start_value"))
    if fields.get("due_date") is None:
        fields["due_date"] = cycle.end
    key_result = KeyResult(objective=objective, **fields)
    key_result.full_clean()
    ensure_can_own(key_result.owner, organization_id=cycle.organization_id)
    key_result.save()
    reviews.review_after_key_result_change(
        objective_id=objective.pk, user=user, organization=cycle.organization
    )
    with refresh_once():
        _sync_followers([key_result])
        progress_refresh(cycle_ids=[cycle.pk])
    key_result.refresh_from_db()
    return key_result


@transaction.atomic
def key_result_update(*, key_result: KeyResult, user=None, **fields) -> KeyResult:
    """Update a key result's definition; its current value changes only through check-ins."""
    for name in fields:
        if name not in KEY_RESULT_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a key result")
    stored = KeyResult.objects.select_related("objective").get(pk=key_result.pk)
    cycle = cycle_lock(stored.objective.cycle_id)
    changes = {name: value for name, value in fields.items() if _differs(stored, name, value)}
    if not changes:
        return key_result
    ensure_cycle_open(cycle)
    ensure_objective_open(stored.objective)
    for name, value in changes.items():
        setattr(key_result, name, value)
    key_result.full_clean()
    if "owner" in changes:
        ensure_can_own(key_result.owner, organization_id=cycle.organization_id)
    key_result.save()
    if reviews.REVIEWED_KEY_RESULT_FIELDS & set(changes):
        reviews.review_after_key_result_change(
            objective_id=stored.objective_id, user=user, organization=cycle.organization
        )
    with refresh_once():
        if {"kpi", "kpi_window"} & set(changes):
            _sync_followers([key_result])
        progress_refresh(cycle_ids=[cycle.pk])
    key_result.refresh_from_db()
    return key_result


@transaction.atomic
def key_result_delete(*, key_result: KeyResult, user=None) -> None:
    stored = KeyResult.objects.select_related("objective").get(pk=key_result.pk)
    cycle = cycle_lock(stored.objective.cycle_id)
    ensure_cycle_open(cycle)
    ensure_objective_open(stored.objective)
    key_result.delete()
    reviews.review_after_key_result_change(
        objective_id=stored.objective_id, user=user, organization=cycle.organization
    )
    progress_refresh(cycle_ids=[cycle.pk])


def _record_state_change(objective: Objective, *, previous_state: str, user, reason: str = "") -> None:
    if objective.state == ObjectiveState.CLOSED:
        objective.closed_at = timezone.now()
    elif previous_state == ObjectiveState.CLOSED:
        objective.closed_at = None
    ObjectiveStateChange.objects.create(
        objective=objective, from_state=previous_state, to_state=objective.state, user=user, reason=reason
    )


def _differs(stored, name: str, value) -> bool:
    field = stored._meta.get_field(name)
    if field.is_relation:
        return getattr(stored, field.attname) != getattr(value, "pk", value)
    return getattr(stored, name) != value
