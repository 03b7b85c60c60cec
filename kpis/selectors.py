"""Reads of the KPI domain, shaped once for pages, the API and dashboards."""

from datetime import date, datetime

from django.db.models import QuerySet, Subquery

from accounts.models import Organization
from kpis.choices import RunState
from kpis.models import Guardrail, Kpi, KpiRun, KpiValue, Measurement


def kpi_list(*, organization: Organization | None) -> QuerySet[Kpi]:
    """KPIs of one organization with their owner, team and the priorities and objectives they serve."""
    return (
        Kpi.objects.filter(organization=organization)
        .select_related("owner", "team")
        .prefetch_related("priorities", "objectives")
        .order_by("family", "name", "pk")
    )


def kpi_value_list(
    *,
    organization: Organization | None,
    kpi: Kpi | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[KpiValue]:
    """Period values, oldest first, with their KPI's code."""
    values = KpiValue.objects.filter(kpi__organization=organization).select_related("kpi")
    if kpi is not None:
        values = values.filter(kpi=kpi)
    if since is not None:
        values = values.filter(period_start__gte=since)
    if until is not None:
        values = values.filter(period_start__lte=until)
    return values.order_by("kpi__code", "period_start")


def measurement_list(*, organization: Organization | None) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(organization=organization)
        .select_related("kpi")
        .order_by("-timestamp", "-pk")
    )


def kpi_run_list(*, organization: Organization | None) -> QuerySet[KpiRun]:
    return KpiRun.objects.filter(organization=organization).order_by("-started_at", "-pk")


def _successful_runs(organization: Organization | None) -> QuerySet[KpiRun]:
    """Finished successful runs, latest first."""
    return KpiRun.objects.filter(
        organization=organization, state=RunState.SUCCEEDED, finished_at__isnull=False
    ).order_by("-finished_at")


def kpi_figures_updated_at(*, organization: Organization | None) -> datetime | None:
    """When the organization's KPI figures were last computed: the end of its latest successful run."""
    return _successful_runs(organization).values_list("finished_at", flat=True).first()


def with_figures_updated_at(kpis: QuerySet[Kpi], *, organization: Organization | None) -> QuerySet[Kpi]:
    """Each KPI annotated with `figures_updated_at` (kpi_figures_updated_at), in the same query: the
    subquery does not refer to the row, so the database evaluates it once."""
    latest = _successful_runs(organization).values("finished_at")[:1]
    return kpis.annotate(figures_updated_at=Subquery(latest))


def guardrail_list(*, organization: Organization | None) -> QuerySet[Guardrail]:
    return Guardrail.objects.filter(kpi__organization=organization).select_related("kpi", "key_result")
