"""Reads of the OKR domain, shaped once for pages, the API and dashboards."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from accounts.models import Organization, Team
from okrs import rules
from okrs.choices import ObjectiveState, ObjectiveType, ScoreColour
from okrs.models import CheckIn, Cycle, KeyResult, Objective, ObjectiveStateChange, Priority


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
    return (
        KeyResult.objects.for_organization(organization)
        .select_related("objective__cycle", "owner")
        .prefetch_related("guardrails")
    )


def kpi_choices(*, organization: Organization) -> QuerySet:
    """The organization's KPIs a key result can follow. The model comes through KeyResult.kpi: okrs sits
    below kpis and does not import it (see okrs.models.KeyResult.kpi)."""
    kpi_model = KeyResult._meta.get_field("kpi").related_model
    return kpi_model.objects.filter(organization=organization).order_by("family", "name", "pk")


def check_in_list(*, organization: Organization) -> QuerySet[CheckIn]:
    return CheckIn.objects.for_organization(organization).select_related("author", "key_result")


def alignment_tree(*, organization: Organization, cycle: Cycle) -> dict:
    """Priority → objectives → child objectives → key results for one cycle, in four queries.

    Every objective is listed in the section of the priority it serves (or in `unaligned`), so that a
    priority's list holds exactly the objectives its roll-up counts (plus drafts and objectives in
    review, which do not count). An objective heads its section unless an ancestor already listed there
    serves the same priority. Each objective's `tree_children` holds all its child objectives in the
    cycle: a child serving another priority appears under its parent and in its own section.
    """
    from okrs.models import RollUp

    objectives = list(objective_list(organization=organization, cycle=cycle).order_by("position", "pk"))
    by_id = {objective.pk: objective for objective in objectives}
    for objective in objectives:
        objective.tree_children = []
    for objective in objectives:
        parent = by_id.get(objective.parent_id)
        if parent is not None and objective.pk not in _ancestor_ids(parent, by_id):
            parent.tree_children.append(objective)
    heads = [objective for objective in objectives if not listed_under_an_ancestor(objective, by_id)]
    rollups = {r.priority_id: r for r in RollUp.objects.filter(cycle=cycle, priority__isnull=False)}
    priorities = []
    for priority in priority_list(organization=organization):
        aligned = [objective for objective in heads if objective.priority_id == priority.pk]
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
                "movers": rollup.movers if rollup else {},
                "objectives": aligned,
            }
        )
    unaligned = [objective for objective in heads if objective.priority_id is None]
    return {"cycle": cycle, "priorities": priorities, "unaligned": unaligned}


def _ancestor_ids(objective: Objective, by_id: dict) -> set[int]:
    """The objective and its ancestors in the cycle (a guard against a loop that old rows might hold)."""
    seen = set()
    while objective is not None and objective.pk not in seen:
        seen.add(objective.pk)
        objective = by_id.get(objective.parent_id)
    return seen


def listed_under_an_ancestor(objective: Objective, by_id: dict) -> bool:
    """Whether an ancestor in the cycle serves the same priority (so this one is drawn beneath it)."""
    ancestor, seen = by_id.get(objective.parent_id), {objective.pk}
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.priority_id == objective.priority_id:
            return True
        seen.add(ancestor.pk)
        ancestor = by_id.get(ancestor.parent_id)
    return False


# Closing a cycle and its scores ------------------------------------------------------------------


def cycle_close_preview(*, cycle: Cycle) -> list[Objective]:
    """Every objective of the cycle with the score closing it now would give, in two queries.

    Each objective gets `closes` (active objectives close with the cycle), `preview_score` and
    `preview_colour`; each of its key results gets `preview_progress`, `preview_score` and
    `preview_colour`. The scores follow cycle_close: a key result of a closing objective is scored
    with its progress rounded to two decimals, the objective with the weighted mean of those scores;
    an objective already closed keeps its scores; a draft or one in review is not scored.
    """
    key_results = KeyResult.objects.select_related("owner").order_by("position", "pk")
    objectives = list(
        Objective.objects.filter(cycle=cycle)
        .select_related("owner", "team")
        .prefetch_related(Prefetch("key_results", queryset=key_results))
        .order_by("team__name", "position", "pk")
    )
    for objective in objectives:
        objective.closes = objective.state == ObjectiveState.ACTIVE
        scored = objective.closes or objective.state == ObjectiveState.CLOSED
        for key_result in objective.key_results.all():
            key_result.preview_progress = rules.progress(
                kind=key_result.kind,
                start=key_result.start_value,
                target=key_result.target_value,
                current=key_result.current_value,
            )
            key_result.preview_score = _key_result_closing_score(key_result, objective) if scored else None
            key_result.preview_colour = _colour(key_result.preview_score)
        pairs = [(kr.preview_score, kr.weight) for kr in objective.key_results.all()]
        objective.preview_score = None
        if objective.closes and pairs:
            objective.preview_score = rules.round_score(rules.weighted_progress(pairs))
        elif objective.state == ObjectiveState.CLOSED:
            objective.preview_score = objective.score
        objective.preview_colour = _colour(objective.preview_score)
    return objectives


def _key_result_closing_score(key_result: KeyResult, objective: Objective) -> Decimal | None:
    if objective.state == ObjectiveState.CLOSED:
        return key_result.score
    return rules.round_score(key_result.preview_progress)


def _colour(score: Decimal | None) -> str | None:
    return None if score is None else rules.score_colour(score)


@dataclass(frozen=True)
class ScoreGroup:
    """How a set of objectives scored: how many, how many of each colour, their mean and the expectation."""

    count: int
    red: int
    yellow: int
    green: int
    mean: Decimal | None
    mean_colour: str | None
    expected: Decimal | None


@dataclass(frozen=True)
class TeamScores:
    """One team's objective scores (team None: objectives without a team), by type and in all."""

    team: Team | None
    committed: ScoreGroup
    aspirational: ScoreGroup
    overall: ScoreGroup

    @property
    def groups(self) -> tuple[ScoreGroup, ScoreGroup, ScoreGroup]:
        return (self.committed, self.aspirational, self.overall)


@dataclass(frozen=True)
class QuarterSummary:
    cycle: Cycle
    provisional: bool  # an open cycle: current progress stands in for the scores it does not have yet
    teams: list[TeamScores]
    total: TeamScores
    unscored: int  # objectives of the cycle without a score (drafts, in review, no key results)


def quarter_summary(*, cycle: Cycle) -> QuarterSummary:
    """Per team, how the cycle's objectives scored, committed and aspirational side by side, in one query.

    A closed cycle counts its closed objectives' scores. An open cycle is summarised provisionally:
    a closed objective counts with its score and an active one with its current progress rounded
    half up to two decimals.
    """
    provisional = not cycle.is_closed
    scores_by_team: dict[int | None, list[tuple[str, Decimal]]] = defaultdict(list)
    teams: dict[int, Team] = {}
    unscored = 0
    for objective in Objective.objects.filter(cycle=cycle).select_related("team").order_by("pk"):
        score = _summary_score(objective, provisional=provisional)
        if score is None:
            unscored += 1
            continue
        if objective.team_id:
            teams[objective.team_id] = objective.team
        scores_by_team[objective.team_id].append((objective.type, score))
    ordered = sorted(teams.values(), key=lambda team: (team.name.lower(), team.pk))
    rows = [_team_scores(team, scores_by_team[team.pk]) for team in ordered]
    if None in scores_by_team:
        rows.append(_team_scores(None, scores_by_team[None]))
    everything = [pair for pairs in scores_by_team.values() for pair in pairs]
    return QuarterSummary(
        cycle=cycle,
        provisional=provisional,
        teams=rows,
        total=_team_scores(None, everything),
        unscored=unscored,
    )


def _summary_score(objective: Objective, *, provisional: bool) -> Decimal | None:
    if objective.state == ObjectiveState.CLOSED:
        return objective.score
    if provisional and objective.state == ObjectiveState.ACTIVE:
        return rules.round_score(objective.progress)
    return None


def _team_scores(team: Team | None, pairs: list[tuple[str, Decimal]]) -> TeamScores:
    def group(objective_type: str | None) -> ScoreGroup:
        scores = [score for kind, score in pairs if objective_type is None or kind == objective_type]
        colours = Counter(rules.score_colour(score) for score in scores)
        mean = rules.round_score(sum(scores, Decimal(0)) / len(scores)) if scores else None
        return ScoreGroup(
            count=len(scores),
            red=colours[ScoreColour.RED],
            yellow=colours[ScoreColour.YELLOW],
            green=colours[ScoreColour.GREEN],
            mean=mean,
            mean_colour=_colour(mean),
            expected=rules.expected_score(objective_type) if objective_type else None,
        )

    return TeamScores(
        team=team,
        committed=group(ObjectiveType.COMMITTED),
        aspirational=group(ObjectiveType.ASPIRATIONAL),
        overall=group(None),
    )


def objective_state_changes(*, objective: Objective) -> QuerySet[ObjectiveStateChange]:
    """An objective's moves through its lifecycle, the latest first, with who made each."""
    return ObjectiveStateChange.objects.filter(objective=objective).select_related("user")
