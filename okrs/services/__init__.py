"""Writes of the OKR domain. Each service owns its transaction and validates with full_clean()."""

from okrs.services.check_ins import check_in_create
from okrs.services.cycles import cycle_close, key_result_score_set
from okrs.services.objectives import (
    key_result_create,
    key_result_update,
    objective_create,
    objective_update,
)
from okrs.services.progress import progress_recompute, thresholds_for
from okrs.services.resources import (
    cycle_create,
    cycle_delete,
    cycle_update,
    key_result_delete,
    objective_delete,
    priority_create,
    priority_delete,
    priority_update,
)

__all__ = [
    "check_in_create",
    "cycle_close",
    "cycle_create",
    "cycle_delete",
    "cycle_update",
    "key_result_create",
    "key_result_delete",
    "key_result_score_set",
    "key_result_update",
    "objective_create",
    "objective_delete",
    "objective_update",
    "priority_create",
    "priority_delete",
    "priority_update",
    "progress_recompute",
    "thresholds_for",
]
