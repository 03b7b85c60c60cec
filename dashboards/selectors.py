"""Reads shaped for the dashboard pages. Each function runs a fixed number of queries.

Figures come from what the recomputation stored (progress, status, roll-ups, snapshots); nothing
here recomputes them.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Membership, Organization, Team
from kpis import selectors as kpi_selectors
from kpis.choices import Family, KpiStatus
from kpis.models import Kpi, KpiRun, KpiValue, Measurement
from okrs import selectors as okr_selectors
from okrs.choices import ROLLUP_STATES, CycleState, Status
from okrs.models import (
    CheckIn,
    Cycle,
    KeyResult,
    KeyResultSnapshot,
    Objective,
    ObjectiveSnapshot,
    Priority,
    RollUp,
)

User = get_user_model()
SLIPPING = (Status.AT_RISK, Status.OFF_TRACK, Status.STALE)
CHECK_IN_HISTORY_LIMIT = 50
SLIPPING_LIMIT = 10


@dataclass(frozen=True)
class CycleChoice:
    """The organization's cycles for the selector, and the one the page shows."""

    cycles: list[Cycle]
    selected: Cycle | None


def cycle_choice(*, organization: Organization, cycle_id: int | None = None) -> CycleChoice:
    """The cycle asked for when it is the organization's; else the active one, else the most recent."""
    cycles = list(okr_selectors.cycle_list(organization=organization).order_by("-start", "name"))
    selected = next((c for c in cycles if c.pk == cycle_id), None)
    if selected is None:
        selected = next((c for c in cycles if c.state == CycleState.ACTIVE), None) or next(iter(cycles), None)
    return CycleChoice(cycles=cycles, selected=selected)


def status_counts(counts: dict) -> list[tuple[str, str, int]]:
    """A roll-up's {"on_track": 2} as (status, label, count) in the order of the status choices."""
    return [(value, label, counts[value]) for value, label in Status.choices if counts.get(value)]


# Overview -------------------------------------------------------------------------------------------


@dataclass
class PriorityRow:
    priority: Priority
    rollup: RollUp | None
    counts: list[tuple[str, str, int]]


@dataclass
class Overview:
    priorities: list[PriorityRow]
    slipping: list[KeyResult]
    unaligned_count: int
    trends: "Trends | None" = None
    breached: list = field(default_factory=list)


def overview(*, organization: Organization, cycle: Cycle) -> Overview:
    """Each active priority with its stored roll-up in the cycle, and the key results slipping most."""
    rollups = RollUp.objects.filter(cycle=cycle, priority__isnull=False)
    priorities = (
        okr_selectors.priority_list(organization=organization)
        .active()
        .prefetch_related(Prefetch("rollups", queryset=rollups, to_attr="cycle_rollups"))
    )
    rows = []
    for priority in priorities:
        rollup = priority.cycle_rollups[0] if priority.cycle_rollups else None
        rows.append(PriorityRow(priority, rollup, status_counts(rollup.status_counts) if rollup else []))
    unaligned = (
        Objective.objects.for_organization(organization).filter(cycle=cycle, priority__isnull=True).count()
    )
    with_movers = [row.rollup for row in rows if row.rollup]
    for rollup, found in zip(with_movers, rollup_movers(with_movers), strict=True):
        rollup.mover_rows = found
    return Overview(
        priorities=rows,
        slipping=slipping_key_results(organization=organization, cycle=cycle),
        unaligned_count=unaligned,
        trends=kpi_trends(organization=organization),
        breached=breached_guardrails(organization=organization, cycle=cycle),
    )


@dataclass
class Trends:
    improving: list[Kpi]
    worsening: list[Kpi]


def kpi_trends(*, organization: Organization, limit: int = 5) -> Trends:
    """The active KPIs improving and worsening most: their last complete period against the complete one
    before it, as stored by the recomputation (two queries)."""
    kpis = kpi_selectors.kpi_list(organization=organization).filter(active=True, trend__isnull=False)
    return Trends(
        improving=list(kpis.filter(trend__gt=0).order_by("-trend", "name")[:limit]),
        worsening=list(kpis.filter(trend__lt=0).order_by("trend", "name")[:limit]),
    )


def breached_guardrails(*, organization: Organization, cycle: Cycle) -> list:
    """The cycle's guardrails past their limits, with their key results, objectives and KPIs (one query)."""
    from kpis.models import Guardrail

    return list(
        Guardrail.objects.filter(
            breached=True, key_result__objective__cycle=cycle, kpi__organization=organization
        )
        .select_related("kpi", "key_result__objective")
        .order_by("key_result__objective__title", "key_result__title", "pk")
    )


def rollup_movers(rollups: list[RollUp]) -> "list[dict[str, list[Mover]]]":
    """The biggest movers of each roll-up, with their key results (one query)."""
    ids = {pk for rollup in rollups for rows in (rollup.movers or {}).values() for pk, _ in rows}
    key_results = list(KeyResult.objects.filter(pk__in=ids).select_related("objective")) if ids else []
    return [movers(rollup.movers, key_results) for rollup in rollups]


def slipping_key_results(
    *, organization: Organization, cycle: Cycle, limit: int = SLIPPING_LIMIT
) -> list[KeyResult]:
    """The cycle's key results that are slipping, furthest behind expected progress first.

    Slipping: at risk, off track or stale; or not started (no check-in yet) with progress below expected
    progress minus the organization's on-track margin, where a checked-in key result would be at risk
    or off track. Ties keep the key results' order of creation.
    """
    behind_without_check_in = Q(
        status=Status.NOT_STARTED, progress__lt=F("expected_progress") - organization.on_track_margin
    )
    return list(
        okr_selectors.key_result_list(organization=organization)
        .filter(Q(status__in=SLIPPING) | behind_without_check_in, objective__cycle=cycle)
        .select_related("objective")
        .order_by(F("progress") - F("expected_progress"), "pk")[:limit]
    )


# Alignment tree -------------------------------------------------------------------------------------


@dataclass
class ObjectiveNode:
    """One objective as drawn in one priority's section of the tree.

    The same objective may be drawn twice: under its own priority and, when its parent serves another
    priority, under that parent as well. `section_priority_id` says which section this drawing is in.
    """

    objective: Objective
    section_priority_id: int | None
    children: list["ObjectiveNode"] = field(default_factory=list)
    root: bool = False  # drawn at the top of its section, not under its parent

    @property
    def counts_in_rollup(self) -> bool:
        """Whether the section's roll-up counts this objective: active or closed, aligned to it."""
        return self.serves_section and self.objective.state in ROLLUP_STATES

    @property
    def serves_section(self) -> bool:
        return self.objective.priority_id == self.section_priority_id

    @property
    def parent_elsewhere(self) -> Objective | None:
        """The parent this objective is also drawn under, when it stands at the top of its section."""
        return self.objective.parent if self.root and self.objective.parent_id else None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class PriorityNode:
    priority: Priority | None  # None: objectives not aligned to any priority
    objectives: list[ObjectiveNode] = field(default_factory=list)
    rollup: RollUp | None = None  # the priority's stored roll-up in the cycle

    def counted_objectives(self) -> list[Objective]:
        """The objectives of this section that its roll-up counts, each once, in drawing order."""
        seen = {}
        for root in self.objectives:
            for node in root.walk():
                if node.counts_in_rollup:
                    seen.setdefault(node.objective.pk, node.objective)
        return list(seen.values())


def objectives_for_page(
    *, organization: Organization, cycle: Cycle, team: Team | None = None, owner_id: int | None = None
) -> QuerySet[Objective]:
    """The cycle's objectives with their key results (two queries), optionally by team and owner."""
    objectives = okr_selectors.objective_list(organization=organization, cycle=cycle)
    if team is not None:
        objectives = objectives.filter(team=team)
    if owner_id is not None:
        objectives = objectives.filter(owner_id=owner_id)
    return objectives.order_by("position", "pk")


def alignment_nodes(
    *, organization: Organization, cycle: Cycle, team: Team | None = None, owner_id: int | None = None
) -> list[PriorityNode]:
    """Priority → objectives → child objectives → key results, in four queries.

    Every objective is drawn in the section of the priority it serves (or in "not aligned"), so that a
    section lists exactly the objectives its roll-up counts (the active and closed ones), plus its draft
    and in-review ones, marked as not counting. An objective stands at the top of its section unless an
    ancestor drawn above it serves the same priority. Child objectives are also drawn under their parent,
    wherever the parent is: a child serving another priority appears in both sections, marked. When a
    filter hides a parent, its children still appear in their own section.
    """
    objectives = list(
        objectives_for_page(organization=organization, cycle=cycle, team=team, owner_id=owner_id)
    )
    by_id = {o.pk: o for o in objectives}
    children: dict[int, list[Objective]] = {}
    for objective in objectives:
        with_weight_shares(list(objective.key_results.all()))
        if objective.parent_id in by_id:
            children.setdefault(objective.parent_id, []).append(objective)
    roots: dict[int | None, list[ObjectiveNode]] = {}
    for objective in objectives:
        if not okr_selectors.listed_under_an_ancestor(objective, by_id):
            roots.setdefault(objective.priority_id, []).append(
                _objective_node(objective, objective.priority_id, children, root=True)
            )
    filtered = team is not None or owner_id is not None
    rollups = RollUp.objects.filter(cycle=cycle, priority__isnull=False)
    priorities = okr_selectors.priority_list(organization=organization).prefetch_related(
        Prefetch("rollups", queryset=rollups, to_attr="cycle_rollups")
    )
    # An inactive priority keeps its section while objectives of the cycle still serve it.
    tree = [
        PriorityNode(priority, roots.get(priority.pk, []), next(iter(priority.cycle_rollups), None))
        for priority in priorities
        if priority.pk in roots or (priority.active and not filtered)
    ]
    if roots.get(None):
        tree.append(PriorityNode(None, roots[None]))
    return tree


def _objective_node(
    objective: Objective, section_priority_id: int | None, children: dict, *, root: bool = False, path=()
) -> ObjectiveNode:
    node = ObjectiveNode(objective, section_priority_id, root=root)
    path = (*path, objective.pk)
    # `path` guards against a loop in the cascade, which the model refuses but old rows might hold.
    node.children = [
        _objective_node(child, section_priority_id, children, path=path)
        for child in children.get(objective.pk, [])
        if child.pk not in path
    ]
    return node


# Teams ----------------------------------------------------------------------------------------------


@dataclass
class TeamRow:
    team: Team
    rollup: RollUp | None
    counts: list[tuple[str, str, int]]


def team_rows(*, organization: Organization, cycle: Cycle | None) -> list[TeamRow]:
    """Every team with its stored roll-up in the cycle (two queries)."""
    rollups = RollUp.objects.filter(cycle=cycle) if cycle else RollUp.objects.none()
    teams = account_selectors.team_list(organization=organization).prefetch_related(
        Prefetch("rollups", queryset=rollups, to_attr="cycle_rollups")
    )
    rows = []
    for team in teams:
        rollup = team.cycle_rollups[0] if team.cycle_rollups else None
        rows.append(TeamRow(team, rollup, status_counts(rollup.status_counts) if rollup else []))
    return rows


def team_rollup(*, team: Team, cycle: Cycle | None) -> RollUp | None:
    """The team's roll-up in the cycle, with its biggest movers as `mover_rows` (two queries)."""
    rollup = RollUp.objects.filter(team=team, cycle=cycle).first() if cycle else None
    if rollup is not None:
        rollup.mover_rows = rollup_movers([rollup])[0]
    return rollup


def team_members(*, team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("user__first_name", "user__username")


# Objective page -------------------------------------------------------------------------------------


@dataclass
class ObjectiveHistory:
    dates: list
    progress: list
    expected: list
    key_results: list[tuple[str, list, list]]


def objective_history(*, objective: Objective) -> ObjectiveHistory:
    """The objective's daily snapshots and its key results' ones, for the progress chart (two queries)."""
    snapshots = list(ObjectiveSnapshot.objects.filter(objective=objective).order_by("date"))
    by_key_result: dict[int, tuple[list, list]] = {}
    kr_snapshots = KeyResultSnapshot.objects.filter(key_result__objective=objective).order_by("date")
    for snapshot in kr_snapshots.only("key_result_id", "date", "progress"):
        dates, values = by_key_result.setdefault(snapshot.key_result_id, ([], []))
        dates.append(snapshot.date)
        values.append(snapshot.progress)
    key_results = [
        (kr.title, *by_key_result[kr.pk]) for kr in objective.key_results.all() if kr.pk in by_key_result
    ]
    return ObjectiveHistory(
        dates=[s.date for s in snapshots],
        progress=[s.progress for s in snapshots],
        expected=[s.expected_progress for s in snapshots],
        key_results=key_results,
    )


def with_guardrails(key_results: list[KeyResult]) -> list[KeyResult]:
    """Each key result's guardrails with their KPIs (two queries)."""
    prefetch_related_objects(key_results, "guardrails__kpi")
    return key_results


@dataclass
class Mover:
    key_result: KeyResult
    change: Decimal


def movers(stored: dict, key_results: list[KeyResult]) -> dict[str, list[Mover]]:
    """The stored biggest movers ({"7": [[id, "change"], …], "30": …}) with their key results (no query:
    `key_results` are the ones that can appear)."""
    by_pk = {kr.pk: kr for kr in key_results}
    return {
        days: [
            Mover(by_pk[pk], Decimal(change)) for pk, change in (stored or {}).get(days, []) if pk in by_pk
        ]
        for days in ("7", "30")
    }


def with_weight_shares(key_results: list[KeyResult]) -> list[KeyResult]:
    """Each key result of one objective gets `weight_share`: its weight over the objective's total (no query).

    That share is how much of the objective's progress (the weighted mean) the key result carries; None
    when every weight is 0.
    """
    total = sum((kr.weight for kr in key_results), Decimal(0))
    for key_result in key_results:
        key_result.weight_share = key_result.weight / total if total > 0 else None
    return key_results


def objective_check_ins(*, objective: Objective, limit: int = CHECK_IN_HISTORY_LIMIT) -> list[CheckIn]:
    return list(
        CheckIn.objects.filter(key_result__objective=objective)
        .select_related("author", "key_result")
        .order_by("-checked_in_at", "-pk")[:limit]
    )


def objective_children(*, objective: Objective) -> QuerySet[Objective]:
    return objective.children.select_related("owner", "team").order_by("position", "pk")


# My OKRs --------------------------------------------------------------------------------------------


def my_key_results(
    *, organization: Organization, user, cycle: Cycle, now: datetime | None = None
) -> QuerySet[KeyResult]:
    """The person's key results in the cycle, those whose check-in is overdue first.

    A check-in is overdue in an active cycle when the last one is older than the organization's
    check-in cadence, or when there has been none yet.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=organization.check_in_cadence_days)
    if cycle.state == CycleState.ACTIVE:
        overdue = Q(last_check_in_at__isnull=True) | Q(last_check_in_at__lt=cutoff)
        is_overdue = Case(When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField())
    else:
        is_overdue = Value(False, output_field=BooleanField())
    return (
        okr_selectors.key_result_list(organization=organization)
        .filter(owner=user, objective__cycle=cycle)
        .prefetch_related("guardrails__kpi")
        .annotate(is_overdue=is_overdue)
        .order_by(
            "-is_overdue", F("last_check_in_at").asc(nulls_first=True), "objective__position", "position"
        )
    )


# KPIs -----------------------------------------------------------------------------------------------

SPARKLINE_PERIODS = 12
KPI_CHART_PERIODS = 36
MEASUREMENT_LIMIT = 20
RUN_SCAN_LIMIT = 50
RUN_LIMIT = 10
STRIP_SIZE = 8
# Worst first on the overview strip.
KPI_STATUS_ORDER = {KpiStatus.RED: 0, KpiStatus.AMBER: 1, KpiStatus.GREEN: 2, KpiStatus.NONE: 3}


def _with_recent_values(kpis: QuerySet[Kpi], periods: int) -> QuerySet[Kpi]:
    """Each KPI gets `recent_values`, its last `periods` period values, newest first (one query)."""
    recent = KpiValue.objects.order_by("-period_start")[:periods]
    return kpis.prefetch_related(Prefetch("values", queryset=recent, to_attr="recent_values"))


def _with_latest(kpis) -> list[Kpi]:
    kpis = list(kpis)
    for kpi in kpis:
        kpi.latest = kpi.recent_values[0] if kpi.recent_values else None
    return kpis


def kpi_list(*, organization: Organization, periods: int = SPARKLINE_PERIODS) -> QuerySet[Kpi]:
    """Active KPIs by family (kpis.selectors.kpi_list) with their recent period values and when the
    figures were last computed (`figures_updated_at`)."""
    kpis = kpi_selectors.kpi_list(organization=organization).active()
    kpis = kpi_selectors.with_figures_updated_at(kpis, organization=organization)
    return _with_recent_values(kpis, periods)


class KpiFigures(list):
    """KPIs (or groups of them) as a list, with `updated_at`: when their figures were last computed."""

    def __init__(self, items=(), *, updated_at: datetime | None = None):
        super().__init__(items)
        self.updated_at = updated_at


def _updated_at(kpis: list[Kpi]) -> datetime | None:
    """The same for every KPI of the list (see kpi_list)."""
    return kpis[0].figures_updated_at if kpis else None


@dataclass
class FamilyGroup:
    family: str
    label: str
    kpis: list[Kpi]


def kpi_scorecard(*, organization: Organization) -> KpiFigures:
    """Every active KPI grouped by family, each with `latest` (its newest period value or None)."""
    labels = dict(Family.choices)
    groups: dict[str, FamilyGroup] = {}
    kpis = _with_latest(kpi_list(organization=organization))
    for kpi in kpis:
        group = groups.setdefault(kpi.family, FamilyGroup(kpi.family, labels.get(kpi.family, kpi.family), []))
        group.kpis.append(kpi)
    order = list(labels)
    ordered = sorted(
        groups.values(), key=lambda g: order.index(g.family) if g.family in order else len(order)
    )
    return KpiFigures(ordered, updated_at=_updated_at(kpis))


@dataclass
class KpiStrip:
    counts: list[tuple[str, str, int]]
    kpis: list[Kpi]
    total: int
    updated_at: datetime | None = None


def kpi_strip(*, organization: Organization, size: int = STRIP_SIZE) -> KpiStrip:
    """The overview's strip: KPIs by status, and the few that need attention most."""
    kpis = _with_latest(kpi_list(organization=organization, periods=1))
    statuses = [kpi.latest.status if kpi.latest else KpiStatus.NONE for kpi in kpis]
    counts = [
        (value, label, statuses.count(value)) for value, label in KpiStatus.choices if value in statuses
    ]
    ranked = sorted(range(len(kpis)), key=lambda i: (KPI_STATUS_ORDER.get(statuses[i], 9), i))
    return KpiStrip(
        counts=counts,
        kpis=[kpis[i] for i in ranked[:size]],
        total=len(kpis),
        updated_at=_updated_at(kpis),
    )


def team_kpis(*, team: Team) -> KpiFigures:
    kpis = _with_latest(kpi_list(organization=team.organization_id, periods=1).filter(team=team))
    return KpiFigures(kpis, updated_at=_updated_at(kpis))


@dataclass
class KpiDetail:
    kpi: Kpi
    values: list[KpiValue]  # oldest first
    latest: KpiValue | None
    key_results: list[KeyResult]
    measurements: list[Measurement]
    runs: list[KpiRun]
    updated_at: datetime | None = None
    initiatives: list = field(default_factory=list)


def kpi_get(*, organization: Organization, pk: int) -> Kpi | None:
    """One KPI of the organization with the priorities and objectives it serves, and when the
    figures were last computed (`figures_updated_at`), or None."""
    kpis = kpi_selectors.with_figures_updated_at(
        kpi_selectors.kpi_list(organization=organization), organization=organization
    )
    return kpis.filter(pk=pk).first()


def kpi_detail(*, kpi: Kpi, periods: int = KPI_CHART_PERIODS) -> KpiDetail:
    """A KPI's last periods, the key results that follow it, its measurements and recomputation runs."""
    organization = kpi.organization_id
    values = kpi_selectors.kpi_value_list(organization=organization, kpi=kpi).reverse()[:periods]
    values = list(values)[::-1]
    key_results = list(
        okr_selectors.key_result_list(organization=organization)
        .filter(kpi=kpi)
        .order_by("-objective__cycle__start", "pk")
    )
    measurements = list(
        kpi_selectors.measurement_list(organization=organization).filter(kpi=kpi)[:MEASUREMENT_LIMIT]
    )
    scanned = kpi_selectors.kpi_run_list(organization=organization)[:RUN_SCAN_LIMIT]
    runs = [run for run in scanned if run.full or kpi.code in (run.kpi_codes or [])][:RUN_LIMIT]
    return KpiDetail(
        initiatives=list(kpi.initiatives.order_by("start", "pk")),
        kpi=kpi,
        values=values,
        latest=values[-1] if values else None,
        key_results=key_results,
        measurements=measurements,
        runs=runs,
        updated_at=getattr(kpi, "figures_updated_at", None),
    )
