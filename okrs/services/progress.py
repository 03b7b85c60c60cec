"""Progress, status, scores, daily snapshots and roll-ups: computed once, the same way, for every caller.

`cycle_refresh` recomputes one cycle from its raw values (start, target and current values, weights,
check-in times, states) and writes only what differs. Every write service calls it, through
`progress_refresh`, before it returns, in its own transaction; the periodic task runs it over every
cycle as a safety net and, right after a write, finds nothing to change.

Rounding happens once: figures are computed unrounded all the way up (key result → objective → team
and priority) and rounded to four decimals, halves up, only when stored.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import StatusBasis
from accounts.models import Organization
from common.locks import held_lock
from common.models import assign_changed
from common.timezones import zone_or_utc
from okrs import forecasts, rules, signals
from okrs.choices import ROLLUP_STATES, ObjectiveState
from okrs.models import CheckIn, Cycle, KeyResult, KeyResultSnapshot, Objective, ObjectiveSnapshot, RollUp

logger = logging.getLogger(__name__)

FORECAST_FIELDS = ["forecast_value", "forecast_low", "forecast_high", "forecast_probability"]
KEY_RESULT_FIELDS = ["attainment", "progress", "expected_progress", "status", "score", *FORECAST_FIELDS]
OBJECTIVE_FIELDS = [
    "progress",
    "expected_progress",
    "status",
    "last_check_in_at",
    "score",
    "forecast_progress",
    "forecast_low",
    "forecast_high",
    "forecast_probability",
    "guardrail_breached",
    "movers",
]
ROLLUP_FIELDS = ["progress", "expected_progress", "status", "objective_count", "status_counts", "movers"]
# Biggest movers look back this many days (Objective.movers, RollUp.movers).
MOVER_WINDOWS = (7, 30)
NO_FORECAST = dict.fromkeys(FORECAST_FIELDS)
ATTAINMENT_LIMIT = Decimal("99999")

# Cycles whose refresh was asked for inside `refresh_once()`; None outside of it.
_pending_cycles: ContextVar[set[int] | None] = ContextVar("okrs_pending_refresh", default=None)


@dataclass(frozen=True)
class RecomputeResult:
    organization_id: int
    skipped: bool = False
    key_results: int = 0
    objectives: int = 0
    rollups: int = 0
    changed: int = 0


def thresholds_for(organization: Organization) -> rules.StatusThresholds:
    """The organization's status thresholds and check-in cadence."""
    return rules.StatusThresholds(
        on_track_margin=organization.on_track_margin,
        at_risk_margin=organization.at_risk_margin,
        check_in_cadence=timedelta(days=organization.check_in_cadence_days),
    )


def organization_zone(organization: Organization) -> ZoneInfo:
    """The organization's time zone; UTC if the stored name is unknown to this machine."""
    return zone_or_utc(organization.time_zone)


def organization_today(organization: Organization, now: datetime | None = None):
    """Today's date where the organization is: the date every expected progress is computed for."""
    return timezone.localtime(now or timezone.now(), organization_zone(organization)).date()


def judged_at(*, cycle: Cycle, objective: Objective | None, now: datetime) -> datetime:
    """The moment whose figures are shown: now, or the moment the objective or its cycle closed."""
    moments = [now]
    if cycle.closed_at is not None:
        moments.append(cycle.closed_at)
    if objective is not None and objective.state == ObjectiveState.CLOSED and objective.closed_at is not None:
        moments.append(objective.closed_at)
    return min(moments)


# Entry points -----------------------------------------------------------------------------------


@contextmanager
def refresh_once() -> Iterator[None]:
    """Collect the refreshes asked for inside the block and run each cycle's once, at its end.

    A KPI sync that checks in on twenty key results of one cycle refreshes that cycle once.
    """
    if _pending_cycles.get() is not None:
        yield
        return
    token = _pending_cycles.set(set())
    try:
        yield
        pending = _pending_cycles.get()
    finally:
        _pending_cycles.reset(token)
    if pending:
        progress_refresh(cycle_ids=pending)


def progress_refresh(*, cycle_ids: Iterable[int], now: datetime | None = None) -> int:
    """Bring the figures of these cycles up to date now (or at the end of the enclosing refresh_once).

    Returns how many rows changed. Call it inside the write's transaction, after the write.
    """
    cycle_ids = {pk for pk in cycle_ids if pk is not None}
    pending = _pending_cycles.get()
    if pending is not None:
        pending.update(cycle_ids)
        return 0
    changed = 0
    for cycle_id in sorted(cycle_ids):
        changed += cycle_refresh(cycle_id=cycle_id, now=now).changed
    return changed


def progress_recompute(
    *, organization_id: int, now: datetime | None = None, progress_bar=None
) -> RecomputeResult:
    """The periodic safety net: refresh every cycle of one organization, closed ones included.

    Never two runs for one organization at once; safe to run twice (only differences are written).
    """
    now = now or timezone.now()
    with held_lock("okrs.recompute", organization_id) as acquired:
        if not acquired:
            logger.info("Recomputation of organization %s is already running; skipped.", organization_id)
            return RecomputeResult(organization_id=organization_id, skipped=True)
        if not Organization.objects.filter(pk=organization_id).exists():
            return RecomputeResult(organization_id=organization_id, skipped=True)
        cycle_ids = list(
            Cycle.objects.filter(organization_id=organization_id).order_by("pk").values_list("pk", flat=True)
        )
        totals = Counter()
        for cycle_id in cycle_ids:
            result = cycle_refresh(cycle_id=cycle_id, now=now)
            totals.update(
                key_results=result.key_results,
                objectives=result.objectives,
                rollups=result.rollups,
                changed=result.changed,
            )
            if progress_bar is not None:
                progress_bar.update(result.objectives)
        if totals["changed"]:
            logger.info(
                "Recomputation of organization %s changed %s rows.", organization_id, totals["changed"]
            )
        return RecomputeResult(organization_id=organization_id, **totals)


@transaction.atomic
def cycle_refresh(*, cycle_id: int, now: datetime | None = None) -> RecomputeResult:
    """Recompute one cycle under its row lock, writing only the rows whose figures differ."""
    now = now or timezone.now()
    cycle = Cycle.objects.select_for_update().select_related("organization").filter(pk=cycle_id).first()
    if cycle is None:
        return RecomputeResult(organization_id=0, skipped=True)
    organization = cycle.organization
    objectives = list(Objective.objects.filter(cycle=cycle).order_by("pk").prefetch_related("key_results"))
    computation = _Computation(organization, cycle, now=now)
    computation.points = _check_in_points(cycle, objectives, computation)
    computation.baselines = _baselines(cycle, objectives, computation)
    for objective in objectives:
        objective.cycle = cycle
        computation.objective(objective, list(objective.key_results.all()))
    changed = computation.write()
    changed += _write_snapshots(cycle, objectives, computation)
    rollups, rollup_changes = _write_rollups(cycle, objectives, computation)
    changed += rollup_changes
    Cycle.objects.filter(pk=cycle.pk).update(figures_updated_at=now)
    signals.figures_evaluated.send(sender=Cycle, cycle=cycle, objectives=objectives, now=now)
    return RecomputeResult(
        organization_id=organization.pk,
        key_results=sum(len(o.key_results.all()) for o in objectives),
        objectives=len(objectives),
        rollups=rollups,
        changed=changed,
    )


# The computation --------------------------------------------------------------------------------


class _Computation:
    """Applies the rules to one cycle in memory, keeping unrounded figures for the roll-ups."""

    def __init__(self, organization: Organization, cycle: Cycle, *, now: datetime):
        self.organization, self.cycle, self.now = organization, cycle, now
        self.zone = organization_zone(organization)
        self.thresholds = thresholds_for(organization)
        self.exact_progress: dict[int, Decimal] = {}  # objective pk → unrounded progress
        self.days: dict[int, object] = {}  # objective pk → the local date its figures are for
        self.changed_key_results: list[KeyResult] = []
        self.changed_objectives: list[Objective] = []
        self.previous_statuses: dict[int, str] = {}
        self.by_forecast = organization.status_basis == StatusBasis.FORECAST
        self.origin = datetime.combine(cycle.start, time.min, self.zone)
        self.today = timezone.localtime(now, self.zone).date()
        # Key result pk → its forecast points; (window in days, key result pk) → progress back then.
        self.points: dict[int, list[tuple[float, float]]] = {}
        self.baselines: dict[tuple[int, int], Decimal] = {}
        self.changes: dict[int, dict[int, list[tuple[int, Decimal]]]] = {}  # objective → window → movers

    def objective(self, objective: Objective, key_results: list[KeyResult]) -> None:
        moment = judged_at(cycle=self.cycle, objective=objective, now=self.now)
        today = timezone.localtime(moment, self.zone).date()
        expected = rules.expected_progress(start=self.cycle.start, end=self.cycle.end, today=today)
        closed = objective.state == ObjectiveState.CLOSED
        forecasting = not closed and not self.cycle.is_closed
        exact, projected = [], []
        for key_result in key_results:
            key_result.objective = objective
            progress, projection = self._key_result(
                key_result, expected=expected, moment=moment, closed=closed, forecasting=forecasting
            )
            exact.append((progress, key_result.weight))
            projected.append(
                (
                    key_result.kind,
                    key_result.start_value,
                    key_result.target_value,
                    progress,
                    key_result.weight,
                    projection,
                )
            )
        progress = rules.weighted_progress(exact)
        projection = forecasts.objective_projection(projected)
        self.changes[objective.pk] = self._movers(key_results, exact)
        check_ins = [kr.last_check_in_at for kr in key_results if kr.last_check_in_at]
        last_check_in_at = max(check_ins) if check_ins else None
        scores = [(kr.score, kr.weight) for kr in key_results if kr.score is not None]
        values = {
            "progress": rules.round_figure(progress),
            "expected_progress": rules.round_figure(expected),
            "status": rules.status(
                progress=progress,
                expected=expected,
                last_check_in_at=last_check_in_at,
                now=moment,
                thresholds=self.thresholds,
                probability=projection.probability if projection and self.by_forecast else None,
            ),
            "last_check_in_at": last_check_in_at,
            "score": rules.round_score(rules.weighted_progress(scores)) if closed and scores else None,
            "forecast_progress": rules.round_figure(projection.value) if projection else None,
            "forecast_low": rules.round_figure(projection.low) if projection else None,
            "forecast_high": rules.round_figure(projection.high) if projection else None,
            "forecast_probability": (
                rules.round_figure(projection.probability)
                if projection and projection.probability is not None
                else None
            ),
            "guardrail_breached": any(kr.guardrail_breached for kr in key_results),
            "movers": {str(days): rules.movers(self.changes[objective.pk][days]) for days in MOVER_WINDOWS},
        }
        self.exact_progress[objective.pk] = progress
        self.days[objective.pk] = today
        if assign_changed(objective, values):
            self.changed_objectives.append(objective)

    def _key_result(
        self, key_result: KeyResult, *, expected: Decimal, moment: datetime, closed: bool, forecasting: bool
    ) -> tuple[Decimal, forecasts.Projection | None]:
        attainment = rules.attainment(
            kind=key_result.kind,
            start=key_result.start_value,
            target=key_result.target_value,
            current=key_result.current_value,
        )
        progress = rules.clamp(attainment)
        # A closed objective's key results keep the score they were given (or adjusted to); an open
        # one's have none.
        score = key_result.score if closed and key_result.score is not None else None
        if closed and score is None:
            score = rules.round_score(progress)
        projection = None
        if forecasting:
            projection = forecasts.key_result_projection(
                kind=key_result.kind,
                target=key_result.target_value,
                points=self.points.get(key_result.pk, []),
                until=forecasts.horizon(cycle_start=self.cycle.start, due_date=key_result.due_date),
            )
        values = {
            "attainment": rules.round_figure(max(min(attainment, ATTAINMENT_LIMIT), -ATTAINMENT_LIMIT)),
            "progress": rules.round_figure(progress),
            "expected_progress": rules.round_figure(expected),
            "status": rules.status(
                progress=progress,
                expected=expected,
                last_check_in_at=key_result.last_check_in_at,
                now=moment,
                thresholds=self.thresholds,
                probability=projection.probability if projection and self.by_forecast else None,
            ),
            "score": score,
            **(
                {
                    "forecast_value": projection.value,
                    "forecast_low": projection.low,
                    "forecast_high": projection.high,
                    "forecast_probability": projection.probability,
                }
                if projection
                else NO_FORECAST
            ),
        }
        previous_status = key_result.status
        if assign_changed(key_result, values):
            self.previous_statuses[key_result.pk] = previous_status
            self.changed_key_results.append(key_result)
        return progress, projection

    def _movers(self, key_results: list[KeyResult], exact: list[tuple[Decimal, Decimal]]) -> dict:
        """Each key result's share of the objective's progress change over each window."""
        total = sum((weight for _, weight in exact), Decimal(0))
        changes = {}
        for days in MOVER_WINDOWS:
            changes[days] = [
                (kr.pk, (progress - self.baselines.get((days, kr.pk), Decimal(0))) * weight / total)
                for kr, (progress, weight) in zip(key_results, exact, strict=True)
                if total > 0 and (days, kr.pk) in self.baselines
            ]
        return changes

    def write(self) -> int:
        for instance in [*self.changed_key_results, *self.changed_objectives]:
            instance.updated_at = self.now
        KeyResult.objects.bulk_update(
            self.changed_key_results, [*KEY_RESULT_FIELDS, "updated_at"], batch_size=500
        )
        Objective.objects.bulk_update(
            self.changed_objectives, [*OBJECTIVE_FIELDS, "updated_at"], batch_size=500
        )
        for key_result in self.changed_key_results:
            signals.key_result_status_changed.send(
                sender=KeyResult,
                key_result=key_result,
                previous_status=self.previous_statuses[key_result.pk],
                organization_id=self.organization.pk,
            )
        return len(self.changed_key_results) + len(self.changed_objectives)


def figures_apply(cycle: Cycle, objectives: list[Objective], *, now: datetime) -> None:
    """Set the computed fields of these objectives and their prefetched key results in memory, as of `now`.

    Nothing is saved: the demo uses it to replay history into snapshots with the very same rules.
    """
    computation = _Computation(cycle.organization, cycle, now=now)
    for objective in objectives:
        objective.cycle = cycle
        computation.objective(objective, list(objective.key_results.all()))


# Forecast points and movers' baselines ----------------------------------------------------------


def _check_in_points(cycle: Cycle, objectives: list[Objective], computation: "_Computation") -> dict:
    """Each key result's forecast points (one query): its start value when it was set, then its check-ins
    up to the moment judged, in days since the cycle's start."""
    points = defaultdict(list)
    origin = computation.origin
    for objective in objectives:
        for kr in objective.key_results.all():
            points[kr.pk].append(
                (max(forecasts.days_since(kr.created_at, origin), 0.0), float(kr.start_value))
            )
    rows = CheckIn.objects.filter(key_result__objective__cycle=cycle, checked_in_at__lte=computation.now)
    for kr_id, moment, value in rows.values_list("key_result_id", "checked_in_at", "value"):
        points[kr_id].append((forecasts.days_since(moment, origin), float(value)))
    return points


def _baselines(cycle: Cycle, objectives: list[Objective], computation: "_Computation") -> dict:
    """Each key result's progress MOVER_WINDOWS days ago (one query): its latest snapshot in the few days
    up to then, or 0 when it did not exist yet; unknown (left out) when it existed without a snapshot."""
    days = {window: computation.today - timedelta(days=window) for window in MOVER_WINDOWS}
    lookback = timedelta(days=3)
    dates = {day - timedelta(days=back) for day in days.values() for back in range(lookback.days + 1)}
    rows = (
        KeyResultSnapshot.objects.filter(key_result__objective__cycle=cycle, date__in=dates)
        .order_by("date")
        .values_list("key_result_id", "date", "progress")
    )
    baselines = {}
    for kr_id, day, progress in rows:
        for window, until in days.items():
            if until - lookback <= day <= until:
                baselines[(window, kr_id)] = progress
    for objective in objectives:
        for kr in objective.key_results.all():
            created = timezone.localtime(kr.created_at, computation.zone).date()
            for window, until in days.items():
                if created > until:
                    baselines.setdefault((window, kr.pk), Decimal(0))
    return baselines


# Snapshots and roll-ups -------------------------------------------------------------------------


def snapshot_rows(objectives: list[Objective], *, day) -> tuple[list, list]:
    """Snapshot rows of the objectives and their key results, from their computed fields, for `day`."""
    return _snapshot_rows(objectives, days=defaultdict(lambda: day))


def _snapshot_rows(objectives: list[Objective], *, days) -> tuple[list, list]:
    objective_rows, kr_rows = [], []
    for objective in objectives:
        day = days[objective.pk]
        objective_rows.append(
            ObjectiveSnapshot(
                objective=objective,
                date=day,
                progress=objective.progress,
                expected_progress=objective.expected_progress,
                status=objective.status,
            )
        )
        kr_rows.extend(
            KeyResultSnapshot(
                key_result=kr,
                date=day,
                value=kr.current_value,
                progress=kr.progress,
                expected_progress=kr.expected_progress,
                status=kr.status,
            )
            for kr in objective.key_results.all()
        )
    return objective_rows, kr_rows


def _write_snapshots(cycle: Cycle, objectives: list[Objective], computation: _Computation) -> int:
    """Upsert the day's snapshot of every objective and key result whose stored one differs or is missing."""
    objective_rows, kr_rows = _snapshot_rows(objectives, days=computation.days)
    days = set(computation.days.values())
    stored_objectives = {
        (row[0], row[1]): row[2:]
        for row in ObjectiveSnapshot.objects.filter(objective__cycle=cycle, date__in=days).values_list(
            "objective_id", "date", "progress", "expected_progress", "status"
        )
    }
    stored_krs = {
        (row[0], row[1]): row[2:]
        for row in KeyResultSnapshot.objects.filter(
            key_result__objective__cycle=cycle, date__in=days
        ).values_list("key_result_id", "date", "value", "progress", "expected_progress", "status")
    }
    objective_rows = [
        row
        for row in objective_rows
        if stored_objectives.get((row.objective_id, row.date))
        != (row.progress, row.expected_progress, row.status)
    ]
    kr_rows = [
        row
        for row in kr_rows
        if stored_krs.get((row.key_result_id, row.date))
        != (row.value, row.progress, row.expected_progress, row.status)
    ]
    fields = ["progress", "expected_progress", "status"]
    upsert = {"update_conflicts": True, "batch_size": 500}
    ObjectiveSnapshot.objects.bulk_create(
        objective_rows, unique_fields=["objective", "date"], update_fields=fields, **upsert
    )
    KeyResultSnapshot.objects.bulk_create(
        kr_rows, unique_fields=["key_result", "date"], update_fields=[*fields, "value"], **upsert
    )
    return len(objective_rows) + len(kr_rows)


def _write_rollups(cycle: Cycle, objectives: list[Objective], computation: _Computation) -> tuple[int, int]:
    """One roll-up per team and per priority with objectives counting in it; only differences written."""
    groups = defaultdict(list)
    for objective in objectives:
        if objective.state not in ROLLUP_STATES:
            continue
        if objective.team_id:
            groups[("team", objective.team_id)].append(objective)
        if objective.priority_id:
            groups[("priority", objective.priority_id)].append(objective)
    moment = judged_at(cycle=cycle, objective=None, now=computation.now)
    today = timezone.localtime(moment, computation.zone).date()
    expected = rules.expected_progress(start=cycle.start, end=cycle.end, today=today)
    wanted = {}
    for (kind, owner_id), members in groups.items():
        progress = rules.weighted_progress((computation.exact_progress[o.pk], Decimal(1)) for o in members)
        checked = [o.last_check_in_at for o in members if o.last_check_in_at]
        share = Decimal(1) / len(members)
        wanted[(kind, owner_id)] = {
            "progress": rules.round_figure(progress),
            "expected_progress": rules.round_figure(expected),
            "status": rules.status(
                progress=progress,
                expected=expected,
                last_check_in_at=max(checked) if checked else None,
                now=moment,
                thresholds=computation.thresholds,
            ),
            "objective_count": len(members),
            "status_counts": dict(sorted(Counter(o.status for o in members).items())),
            "movers": {
                str(days): rules.movers(
                    (pk, change * share) for o in members for pk, change in computation.changes[o.pk][days]
                )
                for days in MOVER_WINDOWS
            },
        }
    existing = {
        ("team", r.team_id) if r.team_id else ("priority", r.priority_id): r
        for r in RollUp.objects.filter(cycle=cycle)
    }
    stale = [row.pk for key, row in existing.items() if key not in wanted]
    RollUp.objects.filter(pk__in=stale).delete()
    created, updated = [], []
    for (kind, owner_id), values in wanted.items():
        row = existing.get((kind, owner_id))
        if row is None:
            created.append(RollUp(cycle=cycle, **{f"{kind}_id": owner_id}, **values))
        elif assign_changed(row, values):
            updated.append(row)
    RollUp.objects.bulk_create(created)
    RollUp.objects.bulk_update(updated, ROLLUP_FIELDS, batch_size=500)
    return len(wanted), len(stale) + len(created) + len(updated)


def key_results_guardrails_mark(*, organization: Organization, breached_ids: set[int]) -> int:
    """Mark exactly these key results of the organization as having a breached guardrail, and refresh
    the cycles of those that changed (their objectives carry the mark). Returns how many changed."""
    differ = KeyResult.objects.filter(objective__cycle__organization=organization).filter(
        Q(pk__in=breached_ids, guardrail_breached=False)
        | (Q(guardrail_breached=True) & ~Q(pk__in=breached_ids))
    )
    rows = list(differ.values_list("pk", "objective__cycle_id", "guardrail_breached"))
    if not rows:
        return 0
    for flag in (True, False):
        ids = [pk for pk, _cycle, breached in rows if breached != flag]
        if ids:
            KeyResult.objects.filter(pk__in=ids).update(guardrail_breached=flag)
    progress_refresh(cycle_ids={cycle_id for _pk, cycle_id, _breached in rows})
    return len(rows)
