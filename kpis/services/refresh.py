from kpis.models import KpiRun
from kpis.services.recompute import kpi_recompute
from okrs import services as okr_services


def kpi_refresh(*, organization_id: int, full: bool = False) -> KpiRun | None:
    """The whole chain: KPI values, then KPI-linked key results, then OKR progress and roll-ups."""
    run = kpi_recompute(organization_id=organization_id, full=full)
    if run is not None and run.state == "succeeded":
        okr_services.progress_recompute(organization_id=organization_id)
    return run
