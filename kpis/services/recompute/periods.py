"""The periods a run touches: new measurements' periods, previous values, and periods in progress."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from kpis.services.comparison import periods_in_progress_compare
from kpis.services.recompute import sql
from kpis.services.recompute.work import Work


def incremental(organization, work: Work, *, tzname, low, high, now) -> int:
    """Aggregate the periods touched by measurements with ids in (low, high]."""
    period, period_params = sql.period_sql("t.timestamp", "tk", tzname)
    touched_sql = f"""
        SELECT DISTINCT t.kpi_id, {period}
        FROM {sql.MEASUREMENT} t JOIN {sql.KPI} tk ON tk.id = t.kpi_id
        WHERE t.organization_id = %s AND t.id > %s AND t.id <= %s AND tk.formula = ''
    """
    with connection.cursor() as cursor:
        cursor.execute(touched_sql, [*period_params, organization.pk, low, high])
        pairs = cursor.fetchall()
    pairs = [(kpi_id, sql.as_date(start)) for kpi_id, start in pairs if kpi_id not in work.everything]
    if not pairs:
        return 0
    for kpi_id, start in pairs:
        work.touched[kpi_id].add(start)
    # Only the touched KPIs' rows within the touched periods' time span are read; of the periods they
    # make, only the touched ones are written.
    zone = ZoneInfo(tzname)
    starts = [start for periods in work.touched.values() for start in periods]
    since = datetime.combine(min(starts), time.min, zone)
    until = datetime.combine(max(starts) + timedelta(days=sql.MAX_PERIOD_DAYS), time.min, zone)
    # The touched pairs, read once above, go in as a literal list (integers and ISO dates we made):
    # the planner hashes it, where a correlated look-up per period would rescan the new rows.
    date_literal = sql.date_literal()
    pairs_sql = ", ".join(
        f"({int(kpi_id)}, {date_literal.format(start.isoformat())})"
        for kpi_id, periods in sorted(work.touched.items())
        for start in sorted(periods)
    )
    keep = f"AND (a.kpi_id, a.period_start) IN (VALUES {pairs_sql})"
    return sql.execute(
        *sql.aggregate_upsert_sql(
            organization_id=organization.pk,
            tzname=tzname,
            computed_at=now,
            where=f"AND m.kpi_id IN ({sql.id_list(work.touched)}) AND m.timestamp >= %s AND m.timestamp < %s",
            where_params=(
                connection.ops.adapt_datetimefield_value(since),
                connection.ops.adapt_datetimefield_value(until),
            ),
            keep=keep,
        )
    )


def previous_values(organization, work: Work, *, full: bool) -> None:
    """Correct previous value and change of the KPIs recomputed in part (one UPDATE).

    Only periods from each KPI's earliest touched period on can have a different previous period;
    each looks up the latest earlier period that has a value through the (kpi, period_start) unique
    index. Periods in progress are compared afterwards, by periods_in_progress.
    """
    if full or not work.touched:
        return
    date_literal = sql.date_literal()
    scope = " OR ".join(
        f"(kpi_id = {int(kpi_id)} AND period_start >= {date_literal.format(min(periods).isoformat())})"
        for kpi_id, periods in sorted(work.touched.items())
        if periods
    )
    if not scope:
        return
    table = sql.VALUE
    earlier = f"""
            FROM {table} p
            WHERE p.kpi_id = {table}.kpi_id AND p.period_start < {table}.period_start AND p.value IS NOT NULL
            ORDER BY p.period_start DESC LIMIT 1"""
    # No earlier period with a value: the subquery has no row, and the three columns become NULL.
    before = f"(SELECT p.value, {table}.value - p.value, p.period_start {earlier})"
    unchanged = ""
    if sql.postgresql():
        # Rows whose figures stay the same are not rewritten.
        previous, previous_start = f"(SELECT p.value {earlier})", f"(SELECT p.period_start {earlier})"
        unchanged = (
            f"AND (previous_value IS DISTINCT FROM {previous} OR change IS DISTINCT FROM value - {previous}"
            f" OR previous_period_start IS DISTINCT FROM {previous_start})"
        )
    statement = (
        f"UPDATE {table} SET (previous_value, change, previous_period_start) = {before} "
        f"WHERE ({scope}) {unchanged}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [])


def periods_in_progress(organization, work: Work, *, full: bool, now: datetime) -> None:
    """Compare the touched KPIs' periods in progress with the same span of the period before, and
    the periods that ended since the last run with the whole period before."""
    kpi_ids = None if full else set(work.touched) | work.everything
    periods_in_progress_compare(
        organization, kpi_ids=kpi_ids, now=now, aggregate_sql=sql.AGGREGATE_SQL.format(last=sql.last_sql())
    )
