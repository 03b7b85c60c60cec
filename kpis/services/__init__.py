"""Writes of the KPI domain. Each service owns its transaction and validates before writing."""

from kpis.services.catalog import catalog_load, kpi_objectives_add, kpis_from_catalog
from kpis.services.definitions import kpi_create, kpi_formula_errors, kpi_update, kpi_validate
from kpis.services.guardrails import guardrail_create, guardrail_delete, guardrail_update
from kpis.services.ingestion import (
    MAX_ROWS,
    IdempotencyConflict,
    MeasurementsInvalid,
    RowError,
    measurements_import_csv,
    measurements_ingest,
    measurements_validate,
)
from kpis.services.insights import guardrails_evaluate, kpi_insights_refresh
from kpis.services.recompute import kpi_recompute
from kpis.services.refresh import kpi_refresh
from kpis.services.sync import key_results_sync

__all__ = [
    "MAX_ROWS",
    "IdempotencyConflict",
    "MeasurementsInvalid",
    "RowError",
    "catalog_load",
    "guardrail_create",
    "guardrail_delete",
    "guardrail_update",
    "guardrails_evaluate",
    "kpi_insights_refresh",
    "key_results_sync",
    "kpi_objectives_add",
    "kpi_create",
    "kpi_formula_errors",
    "kpi_recompute",
    "kpi_refresh",
    "kpi_update",
    "kpi_validate",
    "kpis_from_catalog",
    "measurements_import_csv",
    "measurements_ingest",
    "measurements_validate",
]
