"""Reads of the OKR domain, shaped once for pages, the API and dashboards."""

from django.db.models import Prefetch, QuerySet

from accounts.models import Organization
from okrs.models import CheckIn, Cycle, KeyResult, Objective, Priority


def cycle_list(*, organization: Organization) -> QuerySet[Cycle]:
    return Cycle.objects.for_organization(organization)


def cycle_current(*, organization: Organization) -> Cycle | None:
    """The active cycle, else the most recent one."""
    cycles = cycle_list(organization=organization)
    return cycles.active().order_by("-start").first() or cycles.order_by("-start").first()


def priority_list(*, organization: Organization) -> QuerySet[Priority]:
    return Priority.objects.for_organization(organization).select_related("owner")


def objective_list(*, organization: Organization, cycle: Cycle | None = None) -> QuerySet[Objective]:
    """Objectives of one organization with their owner, team, priority and key results."""
    key_results = KeyResult.objects.select_related("owner").order_by("position", "pk")
    return (
        Objective.objects.for_organization(organization)
        .filter(**({"cycle": cycle} if cycle else {}))
        .select_related("cycle", "owner", "team", "priority", "parent")
        .prefetch_related(Prefetch("key_results", queryset=key_results))
    )


def key_result_list(*, organization: Organization) -> QuerySet[KeyResult]:
    return KeyResult.objects.for_organization(organization).select_related("objective__cycle", "owner")


def check_in_list(*, organization: Organization) -> QuerySet[CheckIn]:
    return CheckIn.objects.for_organization(organization).select_related("author", "key_result")
