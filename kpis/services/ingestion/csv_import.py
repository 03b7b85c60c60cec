"""CSV files of measurements: read, validated and stored in batches, each bad line reported by number."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization
from kpis.models import Measurement
from kpis.services.ingestion.storage import measurements_store
from kpis.services.ingestion.validation import (
    FIELDS,
    QUANTUM,
    REQUIRED,
    CleanRow,
    MeasurementsInvalid,
    RowError,
    measurements_validate,
)

CSV_COLUMNS = set(FIELDS)


@dataclass(frozen=True)
class CsvImportResult:
    lines: int
    created: int
    replayed: int
    already_stored: int = 0  # rows whose KPI, timestamp and value match a stored measurement
    skipped: int = 0  # of those, the rows not stored again (skip_existing)


def _csv_rows(stream: io.TextIOBase) -> Iterator[tuple[int, dict]]:
    reader = csv.DictReader(stream)
    header = reader.fieldnames
    if not header:
        raise MeasurementsInvalid([RowError(1, "file", _("The file is empty; expected a header line."))])
    columns = [(name or "").strip() for name in header]
    problems = [
        RowError(1, name or "?", _("Unknown column; expected: kpi, timestamp, value, idempotency_key, note."))
        for name in columns
        if name not in CSV_COLUMNS
    ] + [RowError(1, name, _("Missing column.")) for name in REQUIRED if name not in columns]
    if problems:
        raise MeasurementsInvalid(problems, _("The header line is wrong; nothing was stored."))
    reader.fieldnames = columns
    for row in reader:
        extra = row.pop(None, None)
        if extra:
            row["__extra__"] = extra
        yield reader.line_num, row


def measurements_import_csv(
    *,
    organization: Organization,
    file,
    source: str,
    progress=None,
    chunk_size: int = 10_000,
    now: datetime | None = None,
    skip_existing: bool = False,
) -> CsvImportResult:
    """Import a CSV file (header: kpi,timestamp,value[,idempotency_key,note]); all lines or none.

    Every bad line is reported with its line number (the header is line 1). `file` is a binary or
    text file object; `progress` (a tqdm bar) is advanced by the lines read. Rows matching a stored
    measurement (same KPI, timestamp and value) are counted in `already_stored`; with `skip_existing`
    they are not stored again (a file without idempotency keys imported twice adds nothing).
    """
    clean, errors, lines = _read(organization, _text_stream(file), progress, chunk_size, now)
    if errors:
        raise MeasurementsInvalid(
            errors, _("%(n)d problems in the file; nothing was stored.") % {"n": len(errors)}
        )
    if not clean:
        raise MeasurementsInvalid([RowError(2, "file", _("The file has a header but no measurements."))])
    with transaction.atomic():
        stored = _already_stored(organization.pk, clean)
        if skip_existing:
            clean = [row for row in clean if row.row not in stored]
        result = measurements_store(organization=organization, rows=clean, source=source)
    return CsvImportResult(
        lines=lines,
        created=result.created,
        replayed=result.replayed,
        already_stored=len(stored),
        skipped=len(stored) if skip_existing else 0,
    )


def _read(organization, stream, progress, chunk_size: int, now) -> tuple[list[CleanRow], list[RowError], int]:
    """Validate the file chunk by chunk: its clean rows, every error with its line number, lines read."""
    seen_keys, clean, errors, lines = {}, [], [], 0
    try:
        for chunk in _chunks(_csv_rows(stream), chunk_size):
            numbers = [number for number, _ in chunk]
            batch, batch_errors = measurements_validate(
                organization=organization,
                rows=[_csv_row(row) for _, row in chunk],
                now=now,
                seen_keys=seen_keys,
                row_number=numbers.__getitem__,
            )
            clean.extend(batch)
            errors.extend(batch_errors)
            lines += len(chunk)
            if progress is not None:
                progress.update(len(chunk))
    except UnicodeDecodeError as error:
        raise MeasurementsInvalid([RowError(lines + 2, "file", _("The file is not UTF-8 text."))]) from error
    except csv.Error as error:
        raise MeasurementsInvalid([RowError(lines + 2, "file", str(error))]) from error
    return clean, errors, lines


def _already_stored(organization_id: int, rows: list[CleanRow]) -> set[int]:
    """Row numbers of `rows` whose KPI, timestamp and value match a stored measurement."""
    by_kpi: dict[int, list[CleanRow]] = {}
    for row in rows:
        by_kpi.setdefault(row.kpi_id, []).append(row)
    matching = set()
    for kpi_id, kpi_rows in by_kpi.items():
        moments = [row.timestamp for row in kpi_rows]
        stored = {
            (moment.astimezone(UTC), Decimal(value).quantize(QUANTUM))
            for moment, value in Measurement.objects.filter(
                organization_id=organization_id, kpi_id=kpi_id, timestamp__range=(min(moments), max(moments))
            ).values_list("timestamp", "value")
        }
        matching.update(
            row.row
            for row in kpi_rows
            if (row.timestamp.astimezone(UTC), Decimal(row.value).quantize(QUANTUM)) in stored
        )
    return matching


def _csv_row(row: dict) -> dict:
    extra = row.pop("__extra__", None)
    cleaned = {name: (value if value != "" else None) for name, value in row.items()}
    if extra:
        cleaned["(extra values)"] = extra
    return cleaned


def _text_stream(file) -> io.TextIOBase:
    if isinstance(file, io.TextIOBase):
        return file
    return io.TextIOWrapper(getattr(file, "file", file), encoding="utf-8-sig", newline="")


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
