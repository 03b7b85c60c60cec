"""Periods in progress compare like with like: with the same span of the earlier period.

A period value is *in progress* while its period has not ended in the organization's time zone. Its
previous value is then not the whole earlier period (the latest earlier period with a value) but that
period's value over the same span: its measurements from its start up to the same local wall-clock
distance from its start as the latest measurement of the period in progress, never past its end. A
formula is evaluated over its inputs' values over that span; its span is set by the latest measurement
among all the measured KPIs it depends on.

The span depends only on measurements, so a period in progress is compared again only when one of its
KPI's measurements arrives (the recomputation touches it) and once more when the period ends.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from common.timezones import zone_or_utc
from kpis import formulas, rules
from kpis.choices import Cadence
from kpis.models import Kpi, KpiValue, Measurement

MEASUREMENT = Measurement._meta.db_table
KPI = Kpi._meta.db_table
QUANTUM = Decimal("0.000001")
UPDATED_FIELDS = ["in_progress", "previous_value", "previous_period_start", "compared_until", "change"]
VALUE_FIELDS = ["kpi", "period_start", "value", *UPDATED_FIELDS]


@dataclass
class _Row:
    """A period value being compared, with the latest earlier period that has a value."""

    value: KpiValue
    earlier_start: date | None
    earlier_value: Decimal | None
    inputs: set[int] = field(default_factory=set)  # the measured KPIs its value comes from

    @property
    def cadence(self) -> str:
        return self.value.kpi.cadence


def periods_in_progress_compare(
    organization, *, kpi_ids: set[int] | None, now: datetime, aggregate_sql: str
) -> int:
    """Compare the periods in progress of `kpi_ids` (every KPI when None) with the same span of the
    earlier period, and the periods that have ended since they were marked in progress with the whole
    earlier period. Returns how many period values changed. `aggregate_sql` aggregates the
    measurements `m` of a KPI `k` (the recomputation's own expression)."""
    zone = zone_or_utc(organization.time_zone)
    today = now.astimezone(zone).date()
    current = Q()
    for cadence in Cadence:
        current |= Q(kpi__cadence=cadence, period_start__gte=rules.period_start(today, cadence))
    # Two queries rather than one with OR: each then reads an index (the partial index of the values in
    # progress; the (KPI, period start) key of the touched KPIs) instead of every value of the organization.
    rows = _rows(organization, Q(in_progress=True) & ~current)
    if kpi_ids is None or kpi_ids:
        rows += _rows(organization, current if kpi_ids is None else current & Q(kpi_id__in=kpi_ids))
    if not rows:
        return 0
    changed, in_progress = [], []
    for row in rows:
        if rules.period_end(row.value.period_start, row.cadence) <= today:
            if _set(row.value, in_progress=False, previous=row.earlier_value, since=row.earlier_start):
                changed.append(row.value)
        else:
            in_progress.append(row)
    changed += _compare_same_span(organization, in_progress, zone, aggregate_sql)
    KpiValue.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=1000)
    return len(changed)


def _rows(organization, wanted: Q) -> list[_Row]:
    """The wanted period values with the latest earlier period that has a value (one query); the KPI
    fields come along (its code, cadence and formula)."""
    earlier = KpiValue.objects.filter(
        kpi=OuterRef("kpi"), period_start__lt=OuterRef("period_start"), value__isnull=False
    ).order_by("-period_start")
    values = (
        KpiValue.objects.filter(kpi__organization=organization)
        .filter(wanted)
        .select_related("kpi")
        .only(*VALUE_FIELDS, "kpi__code", "kpi__cadence", "kpi__formula")
        .annotate(
            earlier_start=Subquery(earlier.values("period_start")[:1]),
            earlier_value=Subquery(earlier.values("value")[:1]),
        )
        .order_by("kpi_id", "period_start")
    )
    return [_Row(value, value.earlier_start, _decimal(value.earlier_value)) for value in values]


def _set(value: KpiValue, *, in_progress: bool, previous, since, until=None) -> bool:
    """Give a period value its comparison; False when it already had exactly this one."""
    change = value.value - previous if value.value is not None and previous is not None else None
    figures = {
        "in_progress": in_progress,
        "previous_value": previous,
        "previous_period_start": since,
        "compared_until": until,
        "change": change,
    }
    if all(_same(getattr(value, name), wanted) for name, wanted in figures.items()):
        return False
    for name, wanted in figures.items():
        setattr(value, name, wanted)
    return True


def _same(stored, wanted) -> bool:
    if isinstance(stored, Decimal | int | float) and isinstance(wanted, Decimal):
        return Decimal(stored).quantize(QUANTUM) == wanted.quantize(QUANTUM)
    return stored == wanted


def _compare_same_span(organization, rows: list[_Row], zone, aggregate_sql: str) -> list[KpiValue]:
    """Give each period in progress the earlier period's value over the same span; the values changed."""
    if not rows:
        return []
    by_code, parsed = _formula_inputs(organization, rows)
    bounds = {
        index: (
            _local(row.value.period_start, zone),
            _local(rules.period_end(row.value.period_start, row.cadence), zone),
        )
        for index, row in enumerate(rows)
    }
    latest = _latest_measurements(
        [(index, kpi_id, *bounds[index]) for index, row in enumerate(rows) for kpi_id in row.inputs]
    )
    windows, until = [], {}
    for index, row in enumerate(rows):
        moment = max(
            (latest[index, kpi_id] for kpi_id in row.inputs if (index, kpi_id) in latest), default=None
        )
        if moment is None or row.earlier_start is None:
            continue
        end = rules.same_span_end(
            start=row.value.period_start,
            latest=moment.astimezone(zone).replace(tzinfo=None),
            previous_start=row.earlier_start,
        )
        earlier_end = _local(rules.period_end(row.earlier_start, row.cadence), zone)
        until[index] = min(end.replace(tzinfo=zone).astimezone(UTC), earlier_end)
        since = _local(row.earlier_start, zone)
        windows += [(index, kpi_id, since, until[index], earlier_end) for kpi_id in row.inputs]
    partial = _aggregates(organization, windows, aggregate_sql)
    changed = []
    for index, row in enumerate(rows):
        previous = _formula(row.value.kpi.code, index, partial, by_code, parsed) if index in until else None
        if _set(
            row.value,
            in_progress=True,
            previous=previous,
            since=row.earlier_start,
            until=until.get(index),
        ):
            changed.append(row.value)
    return changed


def _formula_inputs(organization, rows: list[_Row]) -> tuple[dict[str, Kpi], dict[str, object]]:
    """Each row's measured inputs: itself, or every measured KPI its formula depends on; and the
    organization's KPIs by code with their parsed formulas (read only when a formula is in progress)."""
    by_code = {row.value.kpi.code: row.value.kpi for row in rows if not row.value.kpi.formula}
    parsed = {}
    if any(row.value.kpi.formula for row in rows):
        kpis = Kpi.objects.for_organization(organization).only("pk", "code", "formula")
        by_code = {kpi.code: kpi for kpi in kpis}
        for kpi in by_code.values():
            if kpi.formula:
                try:
                    parsed[kpi.code] = formulas.parse(kpi.formula)
                except formulas.FormulaError:
                    continue
    for row in rows:
        row.inputs = _leaves(row.value.kpi.code, by_code, parsed, frozenset())
    return by_code, parsed


def _leaves(code, by_code, parsed, seen: frozenset) -> set[int]:
    kpi = by_code.get(code)
    if kpi is None or code in seen:
        return set()
    if not kpi.formula:
        return {kpi.pk}
    if code not in parsed:
        return set()
    references = formulas.references(parsed[code])
    return set().union(*(_leaves(ref, by_code, parsed, seen | {code}) for ref in references))


def _formula(code, index, partial, by_code, parsed, seen: frozenset = frozenset()) -> Decimal | None:
    """A KPI's value over the span: measured, or its formula over its inputs' values over the span,
    rounded like a stored period value at every step."""
    kpi = by_code.get(code)
    if kpi is None or code in seen:
        return None
    if not kpi.formula:
        return partial.get((index, kpi.pk))
    if code not in parsed:
        return None
    inputs = {
        ref: _formula(ref, index, partial, by_code, parsed, seen | {code})
        for ref in formulas.references(parsed[code])
    }
    value = formulas.evaluate(parsed[code], inputs)
    if value is None:
        return None
    value = value.quantize(QUANTUM)
    return value if abs(value) < Decimal(10) ** 24 else None


def _local(day: date, zone) -> datetime:
    """Local midnight at the start of `day`, in UTC."""
    return datetime.combine(day, time.min, zone).astimezone(UTC)


def _literal(moment: datetime) -> str:
    """A timestamp we computed, written into SQL the way the database compares stored ones."""
    if connection.vendor == "postgresql":
        return f"CAST('{moment.isoformat()}' AS timestamptz)"
    return f"'{connection.ops.adapt_datetimefield_value(moment)}'"


def _as_utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(QUANTUM)


def _latest_measurements(windows: list[tuple]) -> dict[tuple[int, int], datetime]:
    """The latest measurement time of each (index, KPI) within [since, until) (one query, index look-ups)."""
    if not windows:
        return {}
    listed = ", ".join(
        f"({int(index)}, {int(kpi_id)}, {_literal(since)}, {_literal(until)})"
        for index, kpi_id, since, until in windows
    )
    sql = f"""
        WITH w (n, kpi_id, since, until) AS (VALUES {listed})
        SELECT w.n, w.kpi_id, (
            SELECT MAX(m.timestamp) FROM {MEASUREMENT} m
            WHERE m.kpi_id = w.kpi_id AND m.timestamp >= w.since AND m.timestamp < w.until
        ) FROM w
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        found = cursor.fetchall()
    return {(index, kpi_id): _as_utc(moment) for index, kpi_id, moment in found if moment is not None}


def _aggregates(organization, windows: list[tuple], aggregate_sql: str) -> dict[tuple[int, int], Decimal]:
    """Each (index, KPI)'s aggregate of its measurements in [since, through] before `until` (one query)."""
    if not windows:
        return {}
    listed = ", ".join(
        f"({int(index)}, {int(kpi_id)}, {_literal(since)}, {_literal(through)}, {_literal(until)})"
        for index, kpi_id, since, through, until in windows
    )
    sql = f"""
        WITH w (n, kpi_id, since, through, until) AS (VALUES {listed})
        SELECT w.n, w.kpi_id, {aggregate_sql}
        FROM w
        JOIN {MEASUREMENT} m ON m.kpi_id = w.kpi_id
            AND m.timestamp >= w.since AND m.timestamp <= w.through AND m.timestamp < w.until
        JOIN {KPI} k ON k.id = m.kpi_id
        WHERE k.organization_id = %s
        GROUP BY w.n, w.kpi_id, k.aggregation
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.pk])
        found = cursor.fetchall()
    return {(index, kpi_id): _decimal(value) for index, kpi_id, value in found if value is not None}
