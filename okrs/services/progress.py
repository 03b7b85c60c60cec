"""Recomputation of progress and status, and the roll-ups to objectives, teams and priorities."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from common.locks import cache_lock
from okrs import rules
from okrs.choices import ROLLUP_STATES, CycleState
from okrs.models import KeyResult, KeyResultSnapshot, Objective, ObjectiveSnapshot, RollUp
from webhooks import events as webhook_events

logger = logging.getLogger(__name__)

KEY_RESULT_FIELDS = ["attainment", "progress", "expected_progress", "status"]
OBJECTIVE_FIELDS = ["progress", "expected_progress", "status", "last_check_in_at"]
QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class RecomputeResult:
    organization_id: int
    skipped: bool = False
    key_results: int = 0
    objectives: int = 0
    rollups: int = 0


def thresholds_for(organization: Organization) -> rules.StatusThresholds:
    """The organization's status thresholds and check-in cadence."""
    return rules.StatusThresholds(
        on_track_margin=organization.on_track_margin,
        at_risk_margin=organization.at_risk_margin,
        check_in_cadence=timedelta(days=organization.check_in_cadence_days),
    )


def key_result_apply_rules(
    key_result: KeyResult, *, now: datetime, thresholds: rules.StatusThresholds
) -> bool:
    """Set a key result's computed fields from its values; True when any of them changed."""
    cycle = key_result.objective.cycle
    attainment = rules.attainment(
        kind=key_result.kind,
        start=key_result.start_value,
        target=key_result.target_value,
        current=key_result.current_value,
    )
    progress = rules.clamp(attainment)
    expected = rules.expected_progress(start=cycle.start, end=cycle.end, today=timezone.localdate(now))
    values = {
        "attainment": _quantize(max(min(attainment, Decimal("99999")), Decimal("-99999"))),
        "progress": _quantize(progress),
        "expected_progress": _quantize(expected),
        "status": rules.status(
            progress=progress,
            expected=expected,
            last_check_in_at=key_result.last_check_in_at,
            now=now,
            thresholds=thresholds,
        ),
    }
    return _assign(key_result, values)


def objective_apply_rules(
    objective: Objective, key_results: list[KeyResult], *, now: datetime, thresholds: rules.StatusThresholds
) -> bool:
    """Set an objective's computed fields from its key results; True when any of them changed."""
    cycle = objective.cycle
    progress = rules.weighted_progress((kr.progress, kr.weight) for kr in key_results)
    expected = rules.expected_progress(start=cycle.start, end=cycle.end, today=timezone.localdate(now))
    check_ins = [kr.last_check_in_at for kr in key_results if kr.last_check_in_at]
    last_check_in_at = max(check_ins) if check_ins else None
    values = {
        "progress": _quantize(progress),
        "expected_progress": _quantize(expected),
        "status": rules.status(
            progress=progress,
            expected=expected,
            last_check_in_at=last_check_in_at,
            now=now,
            thresholds=thresholds,
        ),
        "last_check_in_at": last_check_in_at,
    }
    return _assign(objective, values)


def progress_recompute(
    *, organization_id: int, now: datetime | None = None, progress_bar=None
) -> RecomputeResult:
    """Recompute every open cycle of one organization; never two runs for one organization at once.

    Safe to run twice: rows are updated only when a figure changed, and the day's snapshots and the
    roll-ups are upserted on their natural keys.
    """
    now = now or timezone.now()
    with cache_lock(f"okrs.recompute:{organization_id}") as acquired:
        if not acquired:
            logger.info("Recomputation of organization %s is already running; skipped.", organization_id)
            return RecomputeResult(organization_id=organization_id, skipped=True)
        organization = Organization.objects.filter(pk=organization_id).first()
        if organization is None:
            return RecomputeResult(organization_id=organization_id, skipped=True)
        return _recompute(organization, now=now, progress_bar=progress_bar)


@transaction.atomic
def _recompute(organization: Organization, *, now: datetime, progress_bar) -> RecomputeResult:
    thresholds = thresholds_for(organization)
    objectives = list(
        Objective.objects.for_organization(organization)
        .exclude(cycle__state=CycleState.CLOSED)
        .select_related("cycle")
        .prefetch_related("key_results")
    )
    changed_krs, changed_objectives, previous_statuses = [], [], {}
    for objective in objectives:
        key_results = list(objective.key_results.all())
        for key_result in key_results:
            key_result.objective = objective
            previous_statuses[key_result.pk] = key_result.status
            if key_result_apply_rules(key_result, now=now, thresholds=thresholds):
                changed_krs.append(key_result)
        if objective_apply_rules(objective, key_results, now=now, thresholds=thresholds):
            changed_objectives.append(objective)
        if progress_bar is not None:
            progress_bar.update(1)
    KeyResult.objects.bulk_update(changed_krs, KEY_RESULT_FIELDS, batch_size=500)
    for key_result in changed_krs:
        webhook_events.key_result_status_changed(
            key_result, previous_status=previous_statuses[key_result.pk], organization_id=organization.pk
        )
    Objective.objects.bulk_update(changed_objectives, OBJECTIVE_FIELDS, batch_size=500)
    _write_snapshots(objectives, today=timezone.localdate(now))
    rollups = _write_rollups(organization, objectives, now=now, thresholds=thresholds)
    key_result_count = sum(len(o.key_results.all()) for o in objectives)
    return RecomputeResult(
        organization_id=organization.pk,
        key_results=key_result_count,
        objectives=len(objectives),
        rollups=rollups,
    )


def snapshot_rows(objectives: list[Objective], *, day) -> tuple[list, list]:
    """Snapshot rows of the objectives and their key results, from their computed fields, for `day`."""
    objective_rows, kr_rows = [], []
    for objective in objectives:
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


def _write_snapshots(objectives: list[Objective], *, today) -> None:
    objective_rows, kr_rows = snapshot_rows(objectives, day=today)
    upsert = {
        "update_conflicts": True,
        "update_fields": ["progress", "expected_progress", "status"],
        "batch_size": 500,
    }
    ObjectiveSnapshot.objects.bulk_create(objective_rows, unique_fields=["objective", "date"], **upsert)
    upsert["update_fields"] = [*upsert["update_fields"], "value"]
    KeyResultSnapshot.objects.bulk_create(kr_rows, unique_fields=["key_result", "date"], **upsert)


def _write_rollups(organization, objectives, *, now, thresholds) -> int:
    """Upsert one roll-up per (cycle, team) and (cycle, priority) that has objectives counting in it."""
    groups = defaultdict(list)
    cycles = {}
    for objective in objectives:
        if objective.state not in ROLLUP_STATES:
            continue
        cycles[objective.cycle_id] = objective.cycle
        if objective.team_id:
            groups[(objective.cycle_id, "team", objective.team_id)].append(objective)
        if objective.priority_id:
            groups[(objective.cycle_id, "priority", objective.priority_id)].append(objective)
    rows = {"team": [], "priority": []}
    for (cycle_id, kind, owner_id), members in groups.items():
        cycle = cycles[cycle_id]
        progress = rules.weighted_progress((o.progress, Decimal(1)) for o in members)
        expected = rules.expected_progress(start=cycle.start, end=cycle.end, today=timezone.localdate(now))
        checked = [o.last_check_in_at for o in members if o.last_check_in_at]
        rows[kind].append(
            RollUp(
                cycle_id=cycle_id,
                **{f"{kind}_id": owner_id},
                progress=_quantize(progress),
                expected_progress=_quantize(expected),
                status=rules.status(
                    progress=progress,
                    expected=expected,
                    last_check_in_at=max(checked) if checked else None,
                    now=now,
                    thresholds=thresholds,
                ),
                objective_count=len(members),
                status_counts=dict(sorted(Counter(o.status for o in members).items())),
            )
        )
    fields = ["progress", "expected_progress", "status", "objective_count", "status_counts"]
    for kind, batch in rows.items():
        RollUp.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["cycle", kind], update_fields=fields
        )
    # A team or priority that no longer has counting objectives keeps no stale figure.
    kept = {(row.cycle_id, row.team_id, row.priority_id) for batch in rows.values() for row in batch}
    existing = RollUp.objects.filter(cycle_id__in={o.cycle_id for o in objectives})
    stale = [
        pk
        for pk, *key in existing.values_list("pk", "cycle_id", "team_id", "priority_id")
        if tuple(key) not in kept
    ]
    RollUp.objects.filter(pk__in=stale).delete()
    return len(rows["team"]) + len(rows["priority"])


def _quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(QUANTUM)


def _assign(instance, values: dict) -> bool:
    changed = False
    for field, value in values.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed = True
    return changed
