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


def alignment_tree(*, organization: Organization, cycle: Cycle) -> dict:
    """Priority → objectives → child objectives → key results for one cycle, in four queries.

    Each objective gets `tree_children`; objectives with a parent in the cycle sit under it, the
    others under their priority, and those with neither are `unaligned`.
    """
    from okrs.models import RollUp

    objectives = list(objective_list(organization=organization, cycle=cycle).order_by("position", "pk"))
    by_id = {objective.pk: objective for objective in objectives}
    roots = []
    for objective in objectives:
        objective.tree_children = []
    for objective in objectives:
        parent = by_id.get(objective.parent_id)
        (parent.tree_children if parent is not None else roots).append(objective)
    rollups = {r.priority_id: r for r in RollUp.objects.filter(cycle=cycle, priority__isnull=False)}
    priorities = []
    for priority in priority_list(organization=organization):
        aligned = [objective for objective in roots if objective.priority_id == priority.pk]
        if not (aligned or priority.active):
            continue
        rollup = rollups.get(priority.pk)
        priorities.append(
            {
                "id": priority.pk,
                "title": priority.title,
                "order": priority.order,
                "progress": rollup.progress if rollup else None,
                "expected_progress": rollup.expected_progress if rollup else None,
                "status": rollup.status if rollup else None,
                "objectives": aligned,
            }
        )
    unaligned = [objective for objective in roots if objective.priority_id is None]
    return {"cycle": cycle, "priorities": priorities, "unaligned": unaligned}
