"""Writes of the OKR domain. Each service owns its transaction, validates with full_clean() and leaves
every figure it affects right before it returns."""

from okrs.services.check_ins import check_in_create
from okrs.services.cycles import cycle_close, key_result_score_set
from okrs.services.objectives import (
    KEY_RESULT_EDITABLE,
    OBJECTIVE_EDITABLE,
    key_result_create,
    key_result_delete,
    key_result_followers,
    key_result_update,
    objective_create,
    objective_delete,
    objective_reopen,
    objective_update,
)
from okrs.services.progress import (
    cycle_refresh,
    key_results_guardrails_mark,
    organization_today,
    progress_recompute,
    progress_refresh,
    refresh_once,
    thresholds_for,
)
from okrs.services.resources import (
    cycle_create,
    cycle_delete,
    cycle_update,
    priority_create,
    priority_delete,
    priority_update,
)
from okrs.services.templates import objective_from_template

__all__ = [
    "KEY_RESULT_EDITABLE",
    "OBJECTIVE_EDITABLE",
    "check_in_create",
    "cycle_close",
    "cycle_create",
    "cycle_delete",
    "cycle_refresh",
    "cycle_update",
    "key_result_create",
    "key_result_delete",
    "key_result_followers",
    "key_results_guardrails_mark",
    "key_result_score_set",
    "key_result_update",
    "objective_create",
    "objective_delete",
    "objective_from_template",
    "objective_reopen",
    "objective_update",
    "organization_today",
    "priority_create",
    "priority_delete",
    "priority_update",
    "progress_recompute",
    "progress_refresh",
    "refresh_once",
    "thresholds_for",
]
