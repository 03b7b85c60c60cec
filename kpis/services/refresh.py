from kpis.models import KpiRun
from kpis.services.recompute import kpi_recompute


def kpi_refresh(*, organization_id: int, full: bool = False) -> KpiRun | None:
    """The whole chain: KPI values, then the key results that follow them, whose cycles are refreshed once."""
    return kpi_recompute(organization_id=organization_id, full=full)
