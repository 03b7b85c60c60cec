"""Scheduled recomputation of KPI values per period: set-based, incremental, logged, never overlapping.

One run for one organization:

1. reads its watermark, the highest measurement id every earlier ingestion has committed (an
   advisory lock on PostgreSQL makes sure no slower transaction still holds a lower id);
2. finds the (KPI, period) pairs touched by measurements above the previous run's watermark, and the
   KPIs whose definition changed (all their periods);
3. aggregates those periods in the database with one INSERT … SELECT … GROUP BY … ON CONFLICT DO
   UPDATE statement per batch, status included, periods truncated in the organization's time zone;
4. evaluates formula KPIs that depend on what changed, in dependency order (a bulk upsert);
5. sets each touched KPI's previous value and change with one UPDATE: the latest earlier period that
   has a value, empty periods skipped;
6. marks the periods that have not ended yet as in progress and compares each with the same span of
   the earlier period (kpis.services.recompute._periods_in_progress); periods that ended since the last
   run are compared with the whole earlier period from then on;
7. logs the run (KpiRun). Everything from 2 to 6 is one transaction: a run killed half-way leaves the
   previous figures and watermark in place, and the next run redoes the work.
"""

import logging
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organization
from common.locks import held_lock, lock_is_held
from kpis import signals
from kpis.choices import RunState
from kpis.models import Kpi, KpiRun, KpiValue, Measurement
from kpis.services.comparison import periods_in_progress_compare
from kpis.services.ingestion import INGEST_LOCK_CLASS
from kpis.services.recompute import sql
from kpis.services.recompute.formulas import formulas_evaluate
from kpis.services.recompute.periods import incremental, periods_in_progress, previous_values
from kpis.services.recompute.sql import (
    AGGREGATE_SQL,
    ON_TARGET_SQL,
    STATUS_SQL,
    aggregate_upsert_sql,
    period_sql,
)
from kpis.services.recompute.work import Work
from okrs import services as okr_services

logger = logging.getLogger(__name__)

# Runs of one organization hold common.locks.held_lock(LOCK_NAME, organization id): it dies with the worker.
LOCK_NAME = "kpis.recompute"
__all__ = [
    "AGGREGATE_SQL",
    "LOCK_NAME",
    "ON_TARGET_SQL",
    "STATUS_SQL",
    "aggregate_upsert_sql",
    "kpi_recompute",
    "kpi_recompute_running",
    "kpi_values_rebuild",
    "period_sql",
]


def kpi_recompute(*, organization_id: int, full: bool = False, now: datetime | None = None) -> KpiRun | None:
    """Recompute one organization's KPI values (incrementally unless `full`), then sync linked key results.

    Returns the run's log entry; a run that finds another one holding the lock is logged as skipped.
    Safe to run twice: the second run finds nothing new and changes nothing.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return None
    with held_lock(LOCK_NAME, organization_id) as acquired:
        if not acquired:
            logger.info("KPI recomputation of organization %s is already running; skipped.", organization_id)
            now = timezone.now()
            return KpiRun.objects.create(
                organization=organization, state=RunState.SKIPPED, started_at=now, finished_at=now
            )
        return _run(organization, full=full, now=now or timezone.now())


def kpi_recompute_running(*, organization_id: int) -> bool:
    """Whether a recomputation of the organization holds its lock right now."""
    return lock_is_held(LOCK_NAME, organization_id)


def _run(organization: Organization, *, full: bool, now: datetime) -> KpiRun:
    run = _run_start(organization, full=full, now=now)
    try:
        watermark_to = _watermark(organization.pk)
        with transaction.atomic():
            work = _recompute(
                organization, run=run, full=run.full, low=run.watermark_from, high=watermark_to, now=now
            )
        run.kpi_codes = sorted(
            Kpi.objects.filter(pk__in=set(work.touched) | work.everything).values_list("code", flat=True)
        )
        run.kpis_recomputed = len(run.kpi_codes)
        run.periods_recomputed = work.periods
        run.watermark_to = max(watermark_to, run.watermark_from)
        run.error = "\n".join(work.errors)
        _follow_up(organization, run, work, now=now)
        run.state = RunState.SUCCEEDED
    except Exception as error:
        run.state = RunState.FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save()
        raise
    run.finished_at = timezone.now()
    run.save()
    kpis = Kpi.objects.for_organization(organization)
    signals.kpi_statuses_evaluated.send(sender=Kpi, organization=organization, kpis=kpis)
    return run


def _run_start(organization: Organization, *, full: bool, now: datetime) -> KpiRun:
    """Log the run, from the previous successful run's watermark (a full run without one)."""
    # The lock is ours: a run still marked running was killed; its transaction was rolled back.
    KpiRun.objects.filter(organization=organization, state=RunState.RUNNING).update(
        state=RunState.FAILED,
        finished_at=now,
        error="Interrupted (the worker stopped); redone by the next run.",
    )
    previous = (
        KpiRun.objects.filter(organization=organization, state=RunState.SUCCEEDED).order_by("-pk").first()
    )
    full = full or previous is None
    watermark_from = 0 if full else previous.watermark_to
    return KpiRun.objects.create(
        organization=organization,
        full=full,
        started_at=now,
        watermark_from=watermark_from,
        watermark_to=watermark_from,
    )


def _follow_up(organization: Organization, run: KpiRun, work: Work, *, now: datetime) -> None:
    """One orchestration after the KPI values: derived figures and guardrails, then the key results that
    follow KPIs, then the progress of every cycle touched, refreshed once at the end."""
    from kpis.services.insights import guardrails_evaluate, kpi_insights_refresh
    from kpis.services.sync import key_results_sync

    with okr_services.refresh_once():
        with transaction.atomic():
            insights = kpi_insights_refresh(
                organization=organization,
                now=now,
                kpi_ids=None if run.full else set(work.touched) | work.everything,
            )
            run.quality_score = insights.quality_score
            guardrails_evaluate(organization=organization, now=now)
        run.key_results_synced = key_results_sync(organization=organization)


def _watermark(organization_id: int) -> int:
    """The highest committed measurement id; no ingestion below it can still be in flight."""
    with transaction.atomic():
        if sql.postgresql():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [INGEST_LOCK_CLASS, organization_id])
        # The highest id of the whole table, read from the primary key's index: ids are allocated in
        # increasing order, and this organization has no ingestion in flight while the lock is held.
        return Measurement.objects.aggregate(top=Max("pk"))["top"] or 0


def _recompute(organization, *, run, full, low, high, now) -> Work:
    tzname = organization.time_zone
    work = Work()
    changed = set(
        Kpi.objects.for_organization(organization)
        .filter(recompute_requested_at__isnull=False)
        .values_list("pk", flat=True)
    )
    if full:
        work.everything = set(Kpi.objects.for_organization(organization).values_list("pk", flat=True))
        # Filtered on kpi_id, not through a join: one plain DELETE.
        KpiValue.objects.filter(kpi__in=Kpi.objects.for_organization(organization).values("pk")).delete()
        work.periods += sql.execute(
            *sql.aggregate_upsert_sql(organization_id=organization.pk, tzname=tzname, computed_at=now)
        )
    else:
        work.everything = changed
        if changed:
            KpiValue.objects.filter(kpi_id__in=changed).delete()
            work.periods += sql.execute(
                *sql.aggregate_upsert_sql(
                    organization_id=organization.pk,
                    tzname=tzname,
                    computed_at=now,
                    where=f"AND m.kpi_id IN ({sql.id_list(changed)})",
                )
            )
        if high > low:
            work.periods += incremental(organization, work, tzname=tzname, low=low, high=high, now=now)
    work.periods += formulas_evaluate(organization, work, full=full, now=now)
    previous_values(organization, work, full=full)
    periods_in_progress(organization, work, full=full, now=now)
    # Compare and set: a definition changed while this run was going is redone by the next one.
    Kpi.objects.filter(pk__in=changed, recompute_requested_at__lte=now).update(recompute_requested_at=None)
    return work


def kpi_values_rebuild(organization: Organization, *, kpi_ids: set[int], now: datetime) -> int:
    """Aggregate every period of these measured KPIs again, at once (the data-quality KPI, fed by the run
    itself); the periods written."""
    KpiValue.objects.filter(kpi_id__in=kpi_ids).delete()
    periods = sql.execute(
        *sql.aggregate_upsert_sql(
            organization_id=organization.pk,
            tzname=organization.time_zone,
            computed_at=now,
            where=f"AND m.kpi_id IN ({sql.id_list(kpi_ids)})",
        )
    )
    periods_in_progress_compare(
        organization, kpi_ids=kpi_ids, now=now, aggregate_sql=sql.AGGREGATE_SQL.format(last=sql.last_sql())
    )
    return periods
