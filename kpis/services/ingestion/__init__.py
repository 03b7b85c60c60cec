"""Measurements in: one validation path for the REST API, the CSV page, the admin and the command.

Validation is done in bulk (one query for every KPI code of a batch, then plain Python per row), and
the insert is one statement per batch. A batch is all-or-nothing: any bad row and nothing is stored.

Idempotency keys are unique per organization. A row whose key is already stored with the same
content is a replay: nothing new is stored and the answer is the same as the first time. The same key
with different content is a conflict (409) and the whole batch is refused.
"""

from kpis.services.ingestion.csv_import import CsvImportResult, measurements_import_csv
from kpis.services.ingestion.storage import (
    INGEST_LOCK_CLASS,
    IdempotencyConflict,
    IngestResult,
    measurements_ingest,
    measurements_store,
)
from kpis.services.ingestion.validation import (
    MAX_ROWS,
    CleanRow,
    MeasurementsInvalid,
    RowError,
    clean_timestamp,
    clean_value,
    measurements_validate,
)

__all__ = [
    "INGEST_LOCK_CLASS",
    "MAX_ROWS",
    "CleanRow",
    "CsvImportResult",
    "IdempotencyConflict",
    "IngestResult",
    "MeasurementsInvalid",
    "RowError",
    "clean_timestamp",
    "clean_value",
    "measurements_import_csv",
    "measurements_ingest",
    "measurements_store",
    "measurements_validate",
]
