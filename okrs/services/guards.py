"""Checks every OKR write makes first: the cycle is locked and open, the people may hold their roles."""

from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from common.exceptions import ApplicationError
from common.people import person_name
from okrs.choices import ObjectiveState
from okrs.models import Cycle, Objective


def cycle_lock(cycle_id: int) -> Cycle:
    """Lock the cycle row for the rest of the transaction.

    Every write of a cycle's objectives, key results and check-ins takes this lock first, and so does
    the recomputation, so a refresh never reads half of a concurrent write and two writes never
    deadlock on each other's rows.
    """
    return Cycle.objects.select_for_update().select_related("organization").get(pk=cycle_id)


def ensure_cycle_open(cycle: Cycle) -> None:
    if cycle.is_closed:
        raise ApplicationError(
            _("The cycle “%(cycle)s” is closed: its objectives and key results are read-only.")
            % {"cycle": cycle.name}
        )


def ensure_objective_open(objective: Objective) -> None:
    if objective.state == ObjectiveState.CLOSED:
        raise ApplicationError(
            _("The objective “%(objective)s” is closed: an organization admin may reopen it, with a reason.")
            % {"objective": objective.title}
        )


def ensure_can_own(user, *, organization_id: int, field: str = "owner") -> None:
    """An owner must be an editor or admin of the organization: a viewer could not check in."""
    if user is None:
        return
    if not account_selectors.user_can_write(user=user, organization=organization_id):
        raise ApplicationError(
            _("%(person)s cannot own this: owners must be editors or admins of the organization.")
            % {"person": person_name(user)},
            field=field,
        )


def ensure_admin(user, *, organization_id: int, action: str) -> None:
    if user is None or not account_selectors.user_is_admin(user=user, organization=organization_id):
        raise ApplicationError(_("Only an organization admin can %(action)s.") % {"action": action})
