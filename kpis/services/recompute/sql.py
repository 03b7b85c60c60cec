"""The SQL of the recomputation, per database: period truncation, aggregation, status, and the upsert."""

from datetime import date, datetime

from django.db import connection

from kpis.choices import CADENCE_TRUNC
from kpis.models import Kpi, KpiValue, Measurement

# The longest period (a quarter) in days, rounded up.
MAX_PERIOD_DAYS = 93
MEASUREMENT = Measurement._meta.db_table
KPI = Kpi._meta.db_table
VALUE = KpiValue._meta.db_table


def postgresql() -> bool:
    return connection.vendor == "postgresql"


def period_sql(timestamp: str, kpi: str, tzname: str) -> tuple[str, list]:
    """SQL for the start date of a measurement's period (by its KPI's cadence) in `tzname`."""
    parts, params = [], []
    for cadence, kind in CADENCE_TRUNC.items():
        sql, trunc_params = connection.ops.datetime_trunc_sql(kind, timestamp, (), tzname)
        parts.append(f"WHEN '{cadence.value}' THEN {sql}")
        params.extend(trunc_params)
    case = f"CASE {kpi}.cadence {' '.join(parts)} END"
    return (f"CAST({case} AS date)" if postgresql() else f"substr({case}, 1, 10)"), params


def last_sql() -> str:
    """The value of the latest measurement in the group, computed only for KPIs aggregated by "last"."""
    if postgresql():
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
    aggregate = AGGREGATE_SQL.format(last=last_sql())
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


def execute(statement: str, params: list) -> int:
    """Run one aggregate upsert; the number of periods written."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def id_list(ids) -> str:
    """Ids inlined as integers: a long list of them would exceed some drivers' parameter limits."""
    return ", ".join(str(int(pk)) for pk in sorted(ids))


def date_literal() -> str:
    """A date constant in SQL, from an ISO date we made: "CAST('…' AS date)" on PostgreSQL."""
    return "CAST('{}' AS date)" if postgresql() else "'{}'"


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
