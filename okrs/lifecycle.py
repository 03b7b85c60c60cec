"""The lifecycle of objectives and cycles, written once: which moves are allowed and why not.

Pure: no ORM. Services ask these functions before they change a state; pages, the API and the
admin all go through those services, so the same move is refused everywhere with the same words.
"""

from django.utils.translation import gettext as _

from okrs.choices import CycleState, ObjectiveState

O = ObjectiveState  # noqa: E741 - read as a table below

# draft → in review → active → closed, and back to draft from review. Reopening a closed objective
# (closed → active) is a separate action for organization admins, with a reason: see REOPEN.
OBJECTIVE_TRANSITIONS: dict[str, frozenset[str]] = {
    O.DRAFT: frozenset({O.IN_REVIEW}),
    O.IN_REVIEW: frozenset({O.ACTIVE, O.DRAFT}),
    O.ACTIVE: frozenset({O.CLOSED}),
    O.CLOSED: frozenset(),
}
REOPEN = (O.CLOSED, O.ACTIVE)
# A new objective may start in any state but closed: an approved plan can be entered as active.
OBJECTIVE_INITIAL_STATES = frozenset({O.DRAFT, O.IN_REVIEW, O.ACTIVE})

# planning ⇄ active; closing (from either) goes through cycle_close, which scores the cycle; a
# closed cycle stays closed.
CYCLE_TRANSITIONS: dict[str, frozenset[str]] = {
    CycleState.PLANNING: frozenset({CycleState.ACTIVE}),
    CycleState.ACTIVE: frozenset({CycleState.PLANNING}),
    CycleState.CLOSED: frozenset(),
}

# Only objectives in these states take check-ins: a draft or one in review is not yet committed to.
CHECK_IN_STATES = frozenset({O.ACTIVE})


def objective_allowed_states(current: str) -> list[str]:
    """The states an objective may move to next through an ordinary edit, itself included."""
    return [current, *sorted(OBJECTIVE_TRANSITIONS[current])]


def objective_transition_error(current: str, new: str) -> str | None:
    """Why an objective cannot move from `current` to `new` by an ordinary edit, or None."""
    if current == new or new in OBJECTIVE_TRANSITIONS[current]:
        return None
    if (current, new) == REOPEN:
        return _(
            "A closed objective is reopened by an organization admin with the Reopen action and a reason."
        )
    allowed = ", ".join(str(O(state).label) for state in sorted(OBJECTIVE_TRANSITIONS[current]))
    return _(
        "An objective cannot move from %(current)s to %(new)s; from %(current)s it can move to: %(allowed)s."
    ) % {
        "current": O(current).label,
        "new": O(new).label,
        "allowed": allowed or _("nothing (reopen it instead)"),
    }


def objective_initial_state_error(state: str) -> str | None:
    if state in OBJECTIVE_INITIAL_STATES:
        return None
    return _("A new objective cannot start closed; create it, then close it or its cycle.")


def cycle_transition_error(current: str, new: str) -> str | None:
    """Why a cycle cannot move from `current` to `new` by an ordinary edit, or None."""
    if current == new or new in CYCLE_TRANSITIONS[current]:
        return None
    if current == CycleState.CLOSED:
        return _("A closed cycle cannot be reopened.")
    if new == CycleState.CLOSED:
        return _("Close the cycle with its Close action, which scores every key result.")
    return _("A cycle cannot move from %(current)s to %(new)s.") % {
        "current": CycleState(current).label,
        "new": CycleState(new).label,
    }
