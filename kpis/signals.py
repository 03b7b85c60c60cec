"""Signals of the KPI domain, for cross-cutting reactions (notifications) above kpis."""

from django.dispatch import Signal

# Sent at the end of every successful KPI recomputation run of an organization (kpis.services.recompute),
# after its transaction, with `organization` and `kpis` (the organization's KPIs, whose statuses the run
# has just brought up to date). Each run is one evaluation of every KPI's status.
kpi_statuses_evaluated = Signal()
