"""Signals of the KPI domain, for cross-cutting reactions (notifications) above kpis."""

from django.dispatch import Signal

# Sent at the end of every successful KPI recomputation run of an organization (kpis.services.recompute),
# after its transaction, with `organization` and `kpis` (the organization's KPIs, whose statuses the run
# has just brought up to date). Each run is one evaluation of every KPI's status.
kpi_statuses_evaluated = Signal()

# Sent by a recomputation run (kpis.services.insights) when KPIs' data-quality scores fell by 0.10 or more
# since the previous run, with `organization` and `drops`: [(kpi, score before, score now), …].
quality_dropped = Signal()

# Sent when guardrails (kpis.Guardrail) became breached, with `organization` and `guardrails`, inside the
# transaction of the write or run that evaluated them.
guardrail_breached = Signal()
