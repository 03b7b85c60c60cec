"""Initiatives follow the KPI recomputation: each run compares their linked KPIs again."""

import logging

logger = logging.getLogger(__name__)


def on_kpi_statuses_evaluated(sender, *, organization, **kwargs):
    from insights.services import impacts_refresh

    try:
        impacts_refresh(organization=organization)
    except Exception:
        logger.exception(
            "Initiative comparisons of organization %s failed; the run went through.", organization.pk
        )


def connect() -> list[str]:
    from kpis import signals

    signals.kpi_statuses_evaluated.connect(on_kpi_statuses_evaluated, dispatch_uid="insights.impacts")
    return ["kpis.signals.kpi_statuses_evaluated"]
