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
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organization
from common.locks import held_lock, lock_is_held
from kpis import formulas, rules, signals
from kpis.choices import CADENCE_TRUNC, RunState
from kpis.models import Kpi, KpiRun, KpiValue, Measurement
from kpis.services.comparison import periods_in_progress_compare
from kpis.services.ingestion import INGEST_LOCK_CLASS
from okrs import services as okr_services

logger = logging.getLogger(__name__)

# The longest period (a quarter) in days, rounded up.
MAX_PERIOD_DAYS = 93
MEASUREMENT = Measurement._meta.db_table
KPI = Kpi._meta.db_table
VALUE = KpiValue._meta.db_table
# Runs of one organization hold common.locks.held_lock(LOCK_NAME, organization id): it dies with the worker.
LOCK_NAME = "kpis.recompute"


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def period_sql(timestamp: str, kpi: str, tzname: str) -> tuple[str, list]:
    """SQL for the start date of a measurement's period (by its KPI's cadence) in `tzname`."""
    parts, params = [], []
    for cadence, kind in CADENCE_TRUNC.items():
        sql, trunc_params = connection.ops.datetime_trunc_sql(kind, timestamp, (), tzname)
        parts.append(f"WHEN '{cadence.value}' THEN {sql}")
        params.extend(trunc_params)
    case = f"CASE {kpi}.cadence {' '.join(parts)} END"
    return (f"CAST({case} AS date)" if _postgresql() else f"substr({case}, 1, 10)"), params


def _last_sql() -> str:
    """The value of the latest measurement in the group, computed only for KPIs aggregated by "last"."""
    if _postgresql():
        return (
            "(ARRAY_AGG(m.value ORDER BY m.timestamp DESC, m.id DESC) "
            "FILTER (WHERE k.aggregation = 'last'))[1]"
        )
    # SQLite has no ARRAY_AGG: the maximum of "time|id|value" strings carries the latest row's value.
    return (
        "CAST(substr(MAX(CASE WHEN k.aggregation = 'last' THEN "
        "strftime('%%Y-%%m-%%d %%H:%%M:%%f', m.timestamp) || printf('%%020d', m.id) || m.value END), 44) "
        "AS NUMERIC)"
    )


AGGREGATE_SQL = """
    CASE k.aggregation
        WHEN 'sum' THEN SUM(m.value)
        WHEN 'average' THEN AVG(m.value)
        WHEN 'minimum' THEN MIN(m.value)
        WHEN 'maximum' THEN MAX(m.value)
        WHEN 'count' THEN COUNT(*)
        WHEN 'last' THEN {last}
    END"""

# The rule of kpis.rules.kpi_status, in SQL over a value `a.value` and the KPI's thresholds in `a`.
STATUS_SQL = """
    CASE
        WHEN a.value IS NULL THEN 'none'
        WHEN COALESCE(a.warning_threshold, a.target) IS NULL AND a.critical_threshold IS NULL THEN 'none'
        WHEN a.critical_threshold IS NOT NULL AND (
            (a.direction = 'higher' AND a.value < a.critical_threshold)
            OR (a.direction <> 'higher' AND a.value > a.critical_threshold)) THEN 'red'
        WHEN COALESCE(a.warning_threshold, a.target) IS NULL THEN 'green'
        WHEN (a.direction = 'higher' AND a.value >= COALESCE(a.warning_threshold, a.target))
            OR (a.direction <> 'higher' AND a.value <= COALESCE(a.warning_threshold, a.target)) THEN 'green'
        ELSE 'amber'
    END"""

# The rule of kpis.rules.kpi_on_target, in SQL, like STATUS_SQL.
ON_TARGET_SQL = """
    CASE
        WHEN a.value IS NULL OR a.target IS NULL THEN NULL
        WHEN (a.direction = 'higher' AND a.value >= a.target)
            OR (a.direction <> 'higher' AND a.value <= a.target) THEN true
        ELSE false
    END"""


def aggregate_upsert_sql(
    *,
    organization_id: int,
    tzname: str,
    computed_at: datetime,
    where: str = "",
    where_params: tuple = (),
    keep: str = "",
    keep_params: tuple = (),
) -> tuple[str, list]:
    """INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE for the measurements matching `where`;
    `keep` filters the aggregated periods (columns a.kpi_id, a.period_start) before they are written."""
    period, period_params = period_sql("m.timestamp", "k", tzname)
    aggregate = AGGREGATE_SQL.format(last=_last_sql())
    # The previous value comes from the periods in this statement: exact when all of a KPI's periods
    # are recomputed, corrected afterwards by _previous_values for KPIs recomputed in part.
    sql = f"""
        INSERT INTO {VALUE} (
            kpi_id, period_start, value, measurement_count, status, on_target, in_progress,
            previous_value, previous_period_start, change, computed_at
        )
        SELECT a.kpi_id, a.period_start, a.value, a.n, {STATUS_SQL}, {ON_TARGET_SQL}, false,
            LAG(a.value) OVER w, LAG(a.period_start) OVER w, a.value - LAG(a.value) OVER w, %s
        FROM (
            -- Grouped by the KPI's primary key, its thresholds come along without a second join, and
            -- the groups leave in (KPI, period) order, which the window needs.
            SELECT k.id AS kpi_id, {period} AS period_start, {aggregate} AS value, COUNT(*) AS n,
                k.direction AS direction, k.target AS target,
                k.warning_threshold AS warning_threshold, k.critical_threshold AS critical_threshold
            FROM {MEASUREMENT} m JOIN {KPI} k ON k.id = m.kpi_id
            WHERE k.organization_id = %s AND k.formula = '' {where}
            GROUP BY k.id, 2
        ) a
        WHERE true {keep}
        WINDOW w AS (PARTITION BY a.kpi_id ORDER BY a.period_start)
        ON CONFLICT (kpi_id, period_start) DO UPDATE SET
            value = excluded.value, measurement_count = excluded.measurement_count,
            status = excluded.status, on_target = excluded.on_target,
            previous_value = excluded.previous_value, previous_period_start = excluded.previous_period_start,
            change = excluded.change, computed_at = excluded.computed_at
    """
    return sql, [computed_at, *period_params, organization_id, *where_params, *keep_params]


@dataclass
class _Work:
    """What one run recomputes."""

    touched: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))  # measured KPI -> periods
    everything: set[int] = field(default_factory=set)  # KPIs whose every period is redone
    periods: int = 0
    errors: list[str] = field(default_factory=list)


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
    run = KpiRun.objects.create(
        organization=organization,
        full=full,
        started_at=now,
        watermark_from=watermark_from,
        watermark_to=watermark_from,
    )
    try:
        watermark_to = _watermark(organization.pk)
        with transaction.atomic():
            work = _recompute(
                organization, run=run, full=full, low=watermark_from, high=watermark_to, now=now
            )
        run.kpi_codes = sorted(
            Kpi.objects.filter(pk__in=set(work.touched) | work.everything).values_list("code", flat=True)
        )
        run.kpis_recomputed = len(run.kpi_codes)
        run.periods_recomputed = work.periods
        run.watermark_to = max(watermark_to, watermark_from)
        run.error = "\n".join(work.errors)
        from kpis.services.insights import guardrails_evaluate, kpi_insights_refresh
        from kpis.services.sync import key_results_sync

        # One orchestration: KPI values (above) → derived figures and guardrails → the key results that
        # follow KPIs → the progress of every cycle touched, refreshed once at the end of this block.
        with okr_services.refresh_once():
            with transaction.atomic():
                insights = kpi_insights_refresh(
                    organization=organization,
                    now=now,
                    kpi_ids=None if full else set(work.touched) | work.everything,
                )
                run.quality_score = insights.quality_score
                guardrails_evaluate(organization=organization, now=now)
            run.key_results_synced = key_results_sync(organization=organization)
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


def _watermark(organization_id: int) -> int:
    """The highest committed measurement id; no ingestion below it can still be in flight."""
    with transaction.atomic():
        if _postgresql():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [INGEST_LOCK_CLASS, organization_id])
        # The highest id of the whole table, read from the primary key's index: ids are allocated in
        # increasing order, and this organization has no ingestion in flight while the lock is held.
        return Measurement.objects.aggregate(top=Max("pk"))["top"] or 0


def _recompute(organization, *, run, full, low, high, now) -> _Work:
    tzname = organization.time_zone
    work = _Work()
    changed = set(
        Kpi.objects.for_organization(organization)
        .filter(recompute_requested_at__isnull=False)
        .values_list("pk", flat=True)
    )
    if full:
        work.everything = set(Kpi.objects.for_organization(organization).values_list("pk", flat=True))
        # Filtered on kpi_id, not through a join: one plain DELETE.
        KpiValue.objects.filter(kpi__in=Kpi.objects.for_organization(organization).values("pk")).delete()
        work.periods += _execute(
            *aggregate_upsert_sql(organization_id=organization.pk, tzname=tzname, computed_at=now)
        )
    else:
        work.everything = changed
        if changed:
            KpiValue.objects.filter(kpi_id__in=changed).delete()
            work.periods += _execute(
                *aggregate_upsert_sql(
                    organization_id=organization.pk,
                    tzname=tzname,
                    computed_at=now,
                    where=f"AND m.kpi_id IN ({_id_list(changed)})",
                )
            )
        if high > low:
            work.periods += _incremental(organization, work, tzname=tzname, low=low, high=high, now=now)
    work.periods += _formulas(organization, work, full=full, now=now)
    _previous_values(organization, work, full=full)
    _periods_in_progress(organization, work, full=full, now=now)
    # Compare and set: a definition changed while this run was going is redone by the next one.
    Kpi.objects.filter(pk__in=changed, recompute_requested_at__lte=now).update(recompute_requested_at=None)
    return work


def kpi_values_rebuild(organization: Organization, *, kpi_ids: set[int], now: datetime) -> int:
    """Aggregate every period of these measured KPIs again, at once (the data-quality KPI, fed by the run
    itself); the periods written."""
    KpiValue.objects.filter(kpi_id__in=kpi_ids).delete()
    periods = _execute(
        *aggregate_upsert_sql(
            organization_id=organization.pk,
            tzname=organization.time_zone,
            computed_at=now,
            where=f"AND m.kpi_id IN ({_id_list(kpi_ids)})",
        )
    )
    periods_in_progress_compare(
        organization, kpi_ids=kpi_ids, now=now, aggregate_sql=AGGREGATE_SQL.format(last=_last_sql())
    )
    return periods


def _periods_in_progress(organization, work: _Work, *, full: bool, now: datetime) -> None:
    """Compare the touched KPIs' periods in progress with the same span of the period before, and
    the periods that ended since the last run with the whole period before."""
    kpi_ids = None if full else set(work.touched) | work.everything
    periods_in_progress_compare(
        organization, kpi_ids=kpi_ids, now=now, aggregate_sql=AGGREGATE_SQL.format(last=_last_sql())
    )


def _execute(sql: str, params: list) -> int:
    """Run one aggregate upsert; the number of periods written."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _id_list(ids) -> str:
    """Ids inlined as integers: a long list of them would exceed some drivers' parameter limits."""
    return ", ".join(str(int(pk)) for pk in sorted(ids))


def _incremental(organization, work: _Work, *, tzname, low, high, now) -> int:
    """Aggregate the periods touched by measurements with ids in (low, high]."""
    period, period_params = period_sql("t.timestamp", "tk", tzname)
    touched_sql = f"""
        SELECT DISTINCT t.kpi_id, {period}
        FROM {MEASUREMENT} t JOIN {KPI} tk ON tk.id = t.kpi_id
        WHERE t.organization_id = %s AND t.id > %s AND t.id <= %s AND tk.formula = ''
    """
    with connection.cursor() as cursor:
        cursor.execute(touched_sql, [*period_params, organization.pk, low, high])
        pairs = cursor.fetchall()
    pairs = [(kpi_id, _as_date(start)) for kpi_id, start in pairs if kpi_id not in work.everything]
    if not pairs:
        return 0
    for kpi_id, start in pairs:
        work.touched[kpi_id].add(start)
    # Only the touched KPIs' rows within the touched periods' time span are read; of the periods they
    # make, only the touched ones are written.
    zone = ZoneInfo(tzname)
    starts = [start for periods in work.touched.values() for start in periods]
    since = datetime.combine(min(starts), time.min, zone)
    until = datetime.combine(max(starts) + timedelta(days=MAX_PERIOD_DAYS), time.min, zone)
    # The touched pairs, read once above, go in as a literal list (integers and ISO dates we made):
    # the planner hashes it, where a correlated look-up per period would rescan the new rows.
    date_literal = "CAST('{}' AS date)" if _postgresql() else "'{}'"
    pairs_sql = ", ".join(
        f"({int(kpi_id)}, {date_literal.format(start.isoformat())})"
        for kpi_id, periods in sorted(work.touched.items())
        for start in sorted(periods)
    )
    keep = f"AND (a.kpi_id, a.period_start) IN (VALUES {pairs_sql})"
    return _execute(
        *aggregate_upsert_sql(
            organization_id=organization.pk,
            tzname=tzname,
            computed_at=now,
            where=f"AND m.kpi_id IN ({_id_list(work.touched)}) AND m.timestamp >= %s AND m.timestamp < %s",
            where_params=(
                connection.ops.adapt_datetimefield_value(since),
                connection.ops.adapt_datetimefield_value(until),
            ),
            keep=keep,
        )
    )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _formulas(organization, work: _Work, *, full: bool, now) -> int:
    """Evaluate formula KPIs whose inputs changed, period by period, in dependency order."""
    if not Kpi.objects.for_organization(organization).derived().exists():
        return 0
    # Only the fields the evaluation needs: an organization may have a thousand KPIs.
    kpis = list(
        Kpi.objects.for_organization(organization).only(
            "pk", "code", "formula", "direction", "target", "warning_threshold", "critical_threshold"
        )
    )
    by_code = {kpi.code: kpi for kpi in kpis}
    parsed, graph = {}, {}
    for kpi in kpis:
        if not kpi.formula:
            continue
        try:
            parsed[kpi.code] = formulas.parse(kpi.formula)
        except formulas.FormulaError as error:
            work.errors.append(f"{kpi.code}: {error}")
            continue
        graph[kpi.code] = formulas.references(parsed[kpi.code])
    if not graph:
        return 0
    try:
        order = formulas.dependency_order(graph)
    except formulas.FormulaError as error:
        work.errors.append(str(error))
        return 0
    # Which periods of which formula to evaluate: None means all of them.
    wanted: dict[str, set[date] | None] = {}
    for code in order:
        kpi, periods = by_code[code], set()
        if full or kpi.pk in work.everything:
            wanted[code] = None
            continue
        for reference in graph[code]:
            source = by_code.get(reference)
            if source is None:
                continue
            upstream = (
                wanted.get(reference, set()) if reference in graph else work.touched.get(source.pk, set())
            )
            if upstream is None or source.pk in work.everything:
                periods = None
                break
            periods |= upstream
        if periods is None or periods:
            wanted[code] = periods
    if not wanted:
        return 0
    inputs = {by_code[ref].pk for code in wanted for ref in graph[code] if ref in by_code}
    values: dict[int, dict[date, object]] = defaultdict(dict)
    rows = KpiValue.objects.filter(kpi_id__in=inputs)
    bounded = [periods for periods in wanted.values() if periods is not None]
    if len(bounded) == len(wanted):
        rows = rows.filter(period_start__gte=min(min(p) for p in bounded))
    for kpi_id, start, value in rows.values_list("kpi_id", "period_start", "value"):
        values[kpi_id][start] = value
    results = []
    for code in order:
        if code not in wanted:
            continue
        kpi = by_code[code]
        references = [by_code[ref] for ref in graph[code] if ref in by_code]
        periods = wanted[code]
        if periods is None:
            periods = set().union(*(values[ref.pk].keys() for ref in references)) if references else set()
        previous = None  # the latest earlier period with a value, as (start, value)
        for start in sorted(periods):
            value = formulas.evaluate(
                parsed[code], {ref.code: values[ref.pk].get(start) for ref in references}
            )
            value = _fit(value)
            values[kpi.pk][start] = value
            results.append(_formula_value(kpi, start, value, previous, now))
            if value is not None:
                previous = (start, value)
        if wanted[code] is None:
            work.everything.add(kpi.pk)
        else:
            work.touched[kpi.pk].update(periods)
    KpiValue.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["kpi", "period_start"],
        update_fields=[
            "value",
            "measurement_count",
            "status",
            "on_target",
            "previous_value",
            "previous_period_start",
            "change",
            "computed_at",
        ],
        batch_size=1000,
    )
    return len(results)


def _fit(value):
    """A formula result rounded to the column, or no value when it does not fit."""
    if value is None:
        return None
    value = value.quantize(Decimal("0.000001"))
    return value if abs(value) < Decimal(10) ** 24 else None


def _formula_value(kpi: Kpi, start: date, value, previous: tuple | None, now) -> KpiValue:
    """A formula's period value. `previous`, the latest earlier period with a value in this evaluation
    as (start, value), is exact when every period is evaluated, and corrected by _previous_values
    otherwise."""
    status = rules.kpi_status(
        value=value,
        direction=kpi.direction,
        target=kpi.target,
        warning=kpi.warning_threshold,
        critical=kpi.critical_threshold,
    )
    previous_start, previous_value = previous if previous is not None else (None, None)
    known = value is not None and previous_value is not None
    return KpiValue(
        kpi=kpi,
        period_start=start,
        value=value,
        measurement_count=0,
        status=status,
        on_target=rules.kpi_on_target(value=value, direction=kpi.direction, target=kpi.target),
        previous_value=previous_value,
        previous_period_start=previous_start,
        change=value - previous_value if known else None,
        computed_at=now,
    )


def _previous_values(organization, work: _Work, *, full: bool) -> None:
    """Correct previous value and change of the KPIs recomputed in part (one UPDATE).

    Only periods from each KPI's earliest touched period on can have a different previous period;
    each looks up the latest earlier period that has a value through the (kpi, period_start) unique
    index. Periods in progress are compared afterwards, by _periods_in_progress.
    """
    if full or not work.touched:
        return
    date_literal = "CAST('{}' AS date)" if _postgresql() else "'{}'"
    scope = " OR ".join(
        f"(kpi_id = {int(kpi_id)} AND period_start >= {date_literal.format(min(periods).isoformat())})"
        for kpi_id, periods in sorted(work.touched.items())
        if periods
    )
    if not scope:
        return
    earlier = f"""
            FROM {VALUE} p
            WHERE p.kpi_id = {VALUE}.kpi_id AND p.period_start < {VALUE}.period_start AND p.value IS NOT NULL
            ORDER BY p.period_start DESC LIMIT 1"""
    # No earlier period with a value: the subquery has no row, and the three columns become NULL.
    before = f"(SELECT p.value, {VALUE}.value - p.value, p.period_start {earlier})"
    unchanged = ""
    if _postgresql():
        # Rows whose figures stay the same are not rewritten.
        previous, previous_start = f"(SELECT p.value {earlier})", f"(SELECT p.period_start {earlier})"
        unchanged = (
            f"AND (previous_value IS DISTINCT FROM {previous} OR change IS DISTINCT FROM value - {previous}"
            f" OR previous_period_start IS DISTINCT FROM {previous_start})"
        )
    sql = (
        f"UPDATE {VALUE} SET (previous_value, change, previous_period_start) = {before} "
        f"WHERE ({scope}) {unchanged}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
