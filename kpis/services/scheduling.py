from functools import partial

from django.db import transaction


def kpi_refresh_after_commit(organization_id: int) -> None:
    """Recompute the organization's KPIs, and the key results that follow them, seconds after this commits.

    After the commit, never inside the transaction: the worker must find the rows. A failure to enqueue
    is logged and leaves the answer alone (robust); the periodic run catches up.
    """
    transaction.on_commit(partial(_schedule, organization_id), robust=True)


def _schedule(organization_id: int) -> None:
    # Imported when needed: kpis.tasks imports the services.
    from kpis.tasks import kpi_refresh_schedule

    kpi_refresh_schedule(organization_id)
