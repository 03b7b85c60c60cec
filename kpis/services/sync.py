"""Key results that follow a KPI: their current value comes from the KPI after each recomputation."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from accounts.models import Organization
from kpis import formulas, rules
from kpis.models import Kpi, KpiValue
from okrs import services as okr_services
from okrs.choices import CheckInSource, CycleState, KpiWindow
from okrs.models import KeyResult

KEY_RESULT_QUANTUM = Decimal("0.0001")
KEY_RESULT_LIMIT = Decimal(10) ** 14


def key_results_sync(*, organization: Organization) -> int:
    """Give every KPI-linked key result of an open cycle its KPI's value, as a check-in when it changed.

    The window is per key result: the latest period's value, or the KPI's aggregate over the periods
    that start on or after the cycle start (formulas are evaluated over their inputs' aggregates).
    Returns how many key results changed; a second call changes nothing.
    """
    key_results = list(
        KeyResult.objects.filter(kpi__organization=organization)
        .exclude(objective__cycle__state=CycleState.CLOSED)
        .select_related("objective__cycle", "kpi")
    )
    if not key_results:
        return 0
    latest = _latest_values({kr.kpi_id for kr in key_results if kr.kpi_window == KpiWindow.LATEST_PERIOD})
    to_date = _cycle_to_date(
        organization, [kr for kr in key_results if kr.kpi_window == KpiWindow.CYCLE_TO_DATE]
    )
    changed = 0
    for key_result in key_results:
        if key_result.kpi_window == KpiWindow.CYCLE_TO_DATE:
            value = to_date.get(key_result.pk)
        else:
            value = latest.get(key_result.kpi_id)
        if value is None or abs(value) >= KEY_RESULT_LIMIT:
            continue
        value = value.quantize(KEY_RESULT_QUANTUM)
        if value == key_result.current_value:
            continue
        okr_services.check_in_create(
            key_result=key_result,
            value=value,
            confidence=key_result.confidence,
            source=CheckInSource.KPI_SYNC,
            note=_("From KPI %(code)s (%(window)s).")
            % {"code": key_result.kpi.code, "window": key_result.get_kpi_window_display()},
        )
        changed += 1
    return changed


def _latest_values(kpi_ids: set[int]) -> dict[int, Decimal]:
    """Each KPI's value in its latest period that has one (one query)."""
    if not kpi_ids:
        return {}
    latest = KpiValue.objects.filter(kpi=OuterRef("pk"), value__isnull=False).order_by("-period_start")
    rows = Kpi.objects.filter(pk__in=kpi_ids).annotate(latest=Subquery(latest.values("value")[:1]))
    return {pk: value for pk, value in rows.values_list("pk", "latest") if value is not None}


def _cycle_to_date(organization, key_results: list[KeyResult]) -> dict[int, Decimal]:
    """Each key result's KPI aggregated over the periods since its cycle start (two queries)."""
    if not key_results:
        return {}
    kpis = {kpi.pk: kpi for kpi in Kpi.objects.for_organization(organization)}
    by_code = {kpi.code: kpi for kpi in kpis.values()}
    since = min(kr.objective.cycle.start for kr in key_results)
    periods = defaultdict(list)
    rows = KpiValue.objects.filter(kpi__organization=organization, period_start__gte=since).order_by(
        "period_start"
    )
    for kpi_id, start, value, count in rows.values_list(
        "kpi_id", "period_start", "value", "measurement_count"
    ):
        periods[kpi_id].append((start, value, count))

    def aggregate(kpi: Kpi, start, seen: frozenset) -> Decimal | None:
        if kpi.formula:
            if kpi.code in seen:
                return None
            try:
                tree = formulas.parse(kpi.formula)
            except formulas.FormulaError:
                return None
            inputs = {
                code: aggregate(by_code[code], start, seen | {kpi.code}) if code in by_code else None
                for code in formulas.references(tree)
            }
            return formulas.evaluate(tree, inputs)
        window = [(value, count) for period, value, count in periods[kpi.pk] if period >= start]
        return rules.combine_periods(kpi.aggregation, window)

    results = {}
    for key_result in key_results:
        value = aggregate(kpis[key_result.kpi_id], key_result.objective.cycle.start, frozenset())
        if value is not None:
            results[key_result.pk] = value
    return results
