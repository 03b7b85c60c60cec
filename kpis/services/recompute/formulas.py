"""Formula KPIs: evaluated period by period, in dependency order, from their inputs' values."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kpis import formulas, rules
from kpis.models import Kpi, KpiValue
from kpis.services.recompute.work import Work

VALUE_FIELDS = [
    "value",
    "measurement_count",
    "status",
    "on_target",
    "previous_value",
    "previous_period_start",
    "change",
    "computed_at",
]


@dataclass
class _Graph:
    """The organization's KPIs by code, its parsed formulas and what each formula reads."""

    by_code: dict[str, Kpi]
    parsed: dict[str, object] = field(default_factory=dict)
    references: dict[str, set[str]] = field(default_factory=dict)


def formulas_evaluate(organization, work: Work, *, full: bool, now) -> int:
    """Evaluate formula KPIs whose inputs changed, period by period, in dependency order."""
    if not Kpi.objects.for_organization(organization).derived().exists():
        return 0
    graph = _graph(organization, work)
    if not graph.references:
        return 0
    try:
        order = formulas.dependency_order(graph.references)
    except formulas.FormulaError as error:
        work.errors.append(str(error))
        return 0
    wanted = _wanted_periods(graph, order, work, full=full)
    if not wanted:
        return 0
    values = _input_values(graph, wanted)
    results = []
    for code in order:
        if code in wanted:
            results.extend(_evaluate(graph, code, wanted[code], values, work, now))
    KpiValue.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["kpi", "period_start"],
        update_fields=VALUE_FIELDS,
        batch_size=1000,
    )
    return len(results)


def _graph(organization, work: Work) -> _Graph:
    # Only the fields the evaluation needs: an organization may have a thousand KPIs.
    kpis = Kpi.objects.for_organization(organization).only(
        "pk", "code", "formula", "direction", "target", "warning_threshold", "critical_threshold"
    )
    graph = _Graph(by_code={kpi.code: kpi for kpi in kpis})
    for kpi in graph.by_code.values():
        if not kpi.formula:
            continue
        try:
            graph.parsed[kpi.code] = formulas.parse(kpi.formula)
        except formulas.FormulaError as error:
            work.errors.append(f"{kpi.code}: {error}")
            continue
        graph.references[kpi.code] = formulas.references(graph.parsed[kpi.code])
    return graph


def _wanted_periods(
    graph: _Graph, order: list[str], work: Work, *, full: bool
) -> dict[str, set[date] | None]:
    """Which periods of which formula to evaluate: None means all of them."""
    wanted: dict[str, set[date] | None] = {}
    for code in order:
        kpi, periods = graph.by_code[code], set()
        if full or kpi.pk in work.everything:
            wanted[code] = None
            continue
        for reference in graph.references[code]:
            source = graph.by_code.get(reference)
            if source is None:
                continue
            if reference in graph.references:
                upstream = wanted.get(reference, set())
            else:
                upstream = work.touched.get(source.pk, set())
            if upstream is None or source.pk in work.everything:
                periods = None
                break
            periods |= upstream
        if periods is None or periods:
            wanted[code] = periods
    return wanted


def _input_values(graph: _Graph, wanted: dict) -> dict[int, dict[date, object]]:
    """The stored values of every input of the wanted formulas (one query), by KPI and period."""
    inputs = {
        graph.by_code[ref].pk for code in wanted for ref in graph.references[code] if ref in graph.by_code
    }
    values: dict[int, dict[date, object]] = defaultdict(dict)
    rows = KpiValue.objects.filter(kpi_id__in=inputs)
    bounded = [periods for periods in wanted.values() if periods is not None]
    if len(bounded) == len(wanted):
        rows = rows.filter(period_start__gte=min(min(p) for p in bounded))
    for kpi_id, start, value in rows.values_list("kpi_id", "period_start", "value"):
        values[kpi_id][start] = value
    return values


def _evaluate(graph: _Graph, code: str, wanted, values: dict, work: Work, now) -> list[KpiValue]:
    """One formula's values for the wanted periods (all of its inputs' periods when None)."""
    kpi = graph.by_code[code]
    references = [graph.by_code[ref] for ref in graph.references[code] if ref in graph.by_code]
    periods = wanted
    if periods is None:
        periods = set().union(*(values[ref.pk].keys() for ref in references)) if references else set()
    results, previous = [], None  # the latest earlier period with a value, as (start, value)
    for start in sorted(periods):
        value = formulas.evaluate(
            graph.parsed[code], {ref.code: values[ref.pk].get(start) for ref in references}
        )
        value = _fit(value)
        values[kpi.pk][start] = value
        results.append(_formula_value(kpi, start, value, previous, now))
        if value is not None:
            previous = (start, value)
    if wanted is None:
        work.everything.add(kpi.pk)
    else:
        work.touched[kpi.pk].update(periods)
    return results


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
