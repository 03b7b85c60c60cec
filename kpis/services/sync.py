"""Key results that follow a KPI: their current value comes from the KPI after each recomputation."""

import logging
from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.exceptions import ApplicationError
from kpis import formulas, rules
from kpis.models import Kpi, KpiValue
from okrs import services as okr_services
from okrs.choices import CheckInSource, CycleState, KpiWindow, ObjectiveState
from okrs.models import KeyResult

logger = logging.getLogger(__name__)
KEY_RESULT_QUANTUM = Decimal("0.0001")
KEY_RESULT_LIMIT = Decimal(10) ** 14


def key_results_follow(key_results: list[KeyResult]) -> int:
    """Give these key results their KPI's value now (they were just linked, or their objective activated)."""
    if not key_results:
        return 0
    organization = Organization.objects.get(pk=key_results[0].kpi.organization_id)
    return key_results_sync(organization=organization, key_result_ids=[kr.pk for kr in key_results])


def key_results_sync(*, organization: Organization, key_result_ids: list[int] | None = None) -> int:
    """Give every KPI-linked key result of an active objective in an open cycle its KPI's value.

    The value is recorded as a check-in when it changed. The window is per key result: the latest
    period's value, or the KPI's aggregate over the periods that start on or after the cycle start
    (formulas are evaluated over their inputs' aggregates). Every cycle touched is refreshed once, at
    the end. Returns how many key results changed; a second call changes nothing.
    """
    key_results = (
        KeyResult.objects.filter(kpi__organization=organization, objective__state=ObjectiveState.ACTIVE)
        .exclude(objective__cycle__state=CycleState.CLOSED)
        .select_related("objective__cycle", "kpi")
    )
    if key_result_ids is not None:
        key_results = key_results.filter(pk__in=key_result_ids)
    key_results = list(key_results)
    if not key_results:
        return 0
    with okr_services.refresh_once():
        return _sync(organization, key_results)


def _sync(organization: Organization, key_results: list[KeyResult]) -> int:
    latest = latest_values({kr.kpi_id for kr in key_results if kr.kpi_window == KpiWindow.LATEST_PERIOD})
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
        try:
            okr_services.check_in_create(
                key_result=key_result,
                value=value,
                confidence=key_result.confidence,
                source=CheckInSource.KPI_SYNC,
                note=_("From KPI %(code)s (%(window)s).")
                % {"code": key_result.kpi.code, "window": key_result.get_kpi_window_display()},
            )
        except ApplicationError as error:
            # One key result refusing its KPI's value (a milestone given 0.5) must not stop the others.
            logger.warning("Key result %s did not take its KPI's value %s: %s", key_result.pk, value, error)
            continue
        changed += 1
    return changed


def latest_values(kpi_ids: set[int]) -> dict[int, Decimal]:
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
