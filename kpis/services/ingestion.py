"""Measurements in: one validation path for the REST API, the CSV page, the admin and the command.

Validation is done in bulk (one query for every KPI code of a batch, then plain Python per row), and
the insert is one statement per batch. A batch is all-or-nothing: any bad row and nothing is stored.

Idempotency keys are unique per organization. A row whose key is already stored with the same
content is a replay: nothing new is stored and the answer is the same as the first time. The same key
with different content is a conflict (409) and the whole batch is refused.
"""

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.exceptions import ApplicationError
from common.timezones import zone_or_utc
from kpis.models import Kpi, Measurement
from kpis.services.scheduling import kpi_refresh_after_commit

MAX_ROWS = 10_000
INSERT_BATCH = 5_000
FIELDS = ("kpi", "timestamp", "value", "idempotency_key", "note")
FIELD_SET = frozenset(FIELDS)
REQUIRED = ("kpi", "timestamp", "value")
MAX_ABS = Decimal(10) ** 14
QUANTUM = Decimal("0.000001")
MAX_FUTURE = timedelta(days=365)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
MAX_KEY_LENGTH = 128
MAX_NOTE_LENGTH = 500
# Ingestion holds this PostgreSQL advisory lock (shared) while it inserts, and the recomputation takes
# it exclusively for an instant to read its watermark: every measurement id at or below the watermark
# is then committed, so an incremental run never skips a slow transaction's rows.
INGEST_LOCK_CLASS = 0x4B5049


@dataclass(frozen=True)
class RowError:
    """One problem of one row: `row` is the index in a request, or the line number of a CSV file."""

    row: int
    field: str
    message: str

    def as_dict(self, key: str = "index") -> dict:
        return {key: self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class CleanRow:
    row: int
    kpi_id: int
    timestamp: datetime
    value: Decimal
    idempotency_key: str | None
    note: str

    def content(self) -> tuple:
        return (self.kpi_id, self.timestamp, self.value, self.note)


@dataclass(frozen=True)
class IngestResult:
    received: int
    created: int
    replayed: int


class MeasurementsInvalid(ApplicationError):
    """Some rows are invalid; `errors` lists every one of them. Nothing was stored."""

    def __init__(self, errors: list[RowError], message: str | None = None):
        super().__init__(message or _("Some measurements are invalid; nothing was stored."), field="rows")
        self.errors = errors


class IdempotencyConflict(ApplicationError):
    """An idempotency key was already used with different content. Nothing was stored."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            _("An idempotency key was already used with different content; nothing was stored."),
            field="idempotency_key",
        )
        self.errors = errors


def _text(raw, *, required: bool, max_length: int) -> tuple[str | None, str | None]:
    """A cleaned string (or None when absent), or an error message."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, (_("This field is required.") if required else None)
    if not isinstance(raw, str):
        return None, _("Must be text.")
    if "\x00" in raw:
        return None, _("Contains a NUL character, which cannot be stored.")
    raw = raw.strip()
    if len(raw) > max_length:
        return None, _("At most %(n)d characters.") % {"n": max_length}
    return raw, None


def clean_value(raw) -> tuple[Decimal | None, str | None]:
    """A decimal with at most 14 digits before the point, rounded to 6 after; or an error message."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, _("This field is required.")
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        return None, _("Must be a number.")
    if isinstance(raw, str) and "\x00" in raw:
        return None, _("Contains a NUL character, which cannot be stored.")
    if isinstance(raw, float) and not math.isfinite(raw):
        return None, _("NaN and infinity are not numbers that can be stored.")
    try:
        value = (
            Decimal(repr(raw))
            if isinstance(raw, float)
            else Decimal(raw.strip() if isinstance(raw, str) else raw)
        )
    except (InvalidOperation, ValueError):
        return None, _("“%(value)s” is not a number.") % {"value": str(raw)[:40]}
    if not value.is_finite():
        return None, _("NaN and infinity are not numbers that can be stored.")
    if value.copy_abs() >= MAX_ABS:  # copy_abs: abs() would round, and overflow on 1E+999999999
        return None, _("Too large: values must be smaller than 10^14 in magnitude.")
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN), None


def clean_timestamp(raw, *, zone: ZoneInfo, now: datetime) -> tuple[datetime | None, str | None]:
    """An aware UTC datetime. A timestamp without a time zone (or a bare date) is read in `zone`."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, _("This field is required.")
    if isinstance(raw, str):
        if "\x00" in raw:
            return None, _("Contains a NUL character, which cannot be stored.")
        text = raw.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        try:
            if parsed is None:
                parsed = parse_datetime(text)
            if parsed is None and (day := parse_date(text)) is not None:
                parsed = datetime.combine(day, time.min)
        except ValueError:
            parsed = None
        if parsed is None:
            return None, _(
                "“%(value)s” is not a date and time; use ISO 8601, e.g. 2026-03-31T17:00:00+02:00."
            ) % {"value": text[:40]}
    elif isinstance(raw, datetime):
        parsed = raw
    elif isinstance(raw, date):
        parsed = datetime.combine(raw, time.min)
    else:
        return None, _("Must be a date and time in ISO 8601 text.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        moment = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None, _("Out of range.")
    if moment > now + MAX_FUTURE:
        return None, _("More than a year in the future.")
    if moment < EARLIEST:
        return None, _("Before 1900; check the date.")
    return moment, None


def measurements_validate(
    *,
    organization: Organization,
    rows: Sequence,
    now: datetime | None = None,
    seen_keys: dict | None = None,
    row_number=lambda index: index,
) -> tuple[list[CleanRow], list[RowError]]:
    """Validate a batch of measurement rows (dicts); return the clean rows and every error.

    A KPI is looked up by code within the organization only: another organization's code is unknown.
    `row_number` turns a position in `rows` into what errors report (an index, a CSV line number).
    """
    now = now or timezone.now()
    zone = zone_or_utc(organization.time_zone)
    kpis = _kpis_by_code(organization, rows)
    usable = {code: pk for code, (pk, active, is_formula) in kpis.items() if active and not is_formula}
    latest = now + MAX_FUTURE
    seen_keys = {} if seen_keys is None else seen_keys
    clean, errors = [], []
    for index, row in enumerate(rows):
        number = row_number(index)
        fast = _fast_row(row, usable, zone, latest)
        if fast is not None and (fast[3] is None or fast[3] not in seen_keys):
            if fast[3] is not None:
                seen_keys[fast[3]] = number
            clean.append(CleanRow(number, *fast))
            continue
        if not isinstance(row, dict):
            errors.append(RowError(number, "non_field_errors", _("Each measurement must be an object.")))
            continue
        row_errors = [
            RowError(
                number,
                str(name)[:50],
                _("Unknown field; expected one of: %(fields)s.") % {"fields": ", ".join(FIELDS)},
            )
            for name in row
            if name not in FIELDS
        ]
        kpi_id, message = _kpi_id(row.get("kpi"), kpis)
        if message:
            row_errors.append(RowError(number, "kpi", message))
        moment, message = clean_timestamp(row.get("timestamp"), zone=zone, now=now)
        if message:
            row_errors.append(RowError(number, "timestamp", message))
        value, message = clean_value(row.get("value"))
        if message:
            row_errors.append(RowError(number, "value", message))
        key, message = _text(row.get("idempotency_key"), required=False, max_length=MAX_KEY_LENGTH)
        if message:
            row_errors.append(RowError(number, "idempotency_key", message))
        elif key is not None:
            if key in seen_keys:
                message = _("This idempotency key is used twice in the same upload (first at %(at)s).")
                row_errors.append(RowError(number, "idempotency_key", message % {"at": seen_keys[key]}))
            else:
                seen_keys[key] = number
        note, message = _text(row.get("note"), required=False, max_length=MAX_NOTE_LENGTH)
        if message:
            row_errors.append(RowError(number, "note", message))
        if row_errors:
            errors.extend(row_errors)
        else:
            clean.append(CleanRow(number, kpi_id, moment, value, key, note or ""))
    return clean, errors


def _fast_row(row, usable: dict, zone, latest: datetime) -> tuple | None:
    """The common well-formed row, checked without building messages (a large share of the time of a
    big batch). It accepts exactly what the detailed checks accept; anything else returns None and
    goes through them, which say what is wrong."""
    if type(row) is not dict or not row.keys() <= FIELD_SET:
        return None
    code, stamp, value = row.get("kpi"), row.get("timestamp"), row.get("value")
    key, note = row.get("idempotency_key"), row.get("note")
    if type(code) is not str or type(stamp) is not str or "\x00" in stamp:
        return None
    kpi_id = usable.get(code)
    if kpi_id is None:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if not EARLIEST <= moment <= latest:
        return None
    kind = type(value)
    if kind is str and "\x00" not in value or kind is int or kind is Decimal:
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    if not number.is_finite() or number.copy_abs() >= MAX_ABS:
        return None
    if key is not None:
        if type(key) is not str or "\x00" in key:
            return None
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return None
    if note is not None:
        if type(note) is not str or "\x00" in note:
            return None
        note = note.strip()
        if len(note) > MAX_NOTE_LENGTH:
            return None
    return kpi_id, moment, number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN), key, note or ""


def _kpis_by_code(organization, rows) -> dict[str, tuple[int, bool, bool]]:
    raw = [row.get("kpi") for row in rows if type(row) is dict]  # a list: a code may be an unhashable {}
    codes = {code.strip() for code in raw if type(code) is str and "\x00" not in code and len(code) <= 60}
    if not codes:
        return {}
    found = Kpi.objects.for_organization(organization).filter(code__in=codes)
    return {
        code: (pk, active, bool(formula))
        for code, pk, active, formula in found.values_list("code", "pk", "active", "formula")
    }


def _kpi_id(raw, kpis) -> tuple[int | None, str | None]:
    code, message = _text(raw, required=True, max_length=60)
    if message:
        return None, message
    if code not in kpis:
        return None, _("Unknown KPI code “%(code)s”.") % {"code": code}
    pk, active, is_formula = kpis[code]
    if is_formula:
        return None, _("“%(code)s” is computed from a formula; send measurements of its inputs.") % {
            "code": code
        }
    if not active:
        return None, _("“%(code)s” is archived; reactivate it to record new measurements.") % {"code": code}
    return pk, None


@transaction.atomic
def measurements_ingest(
    *, organization: Organization, rows: Sequence, source: str, now: datetime | None = None
) -> IngestResult:
    """Validate and store up to MAX_ROWS measurements, all or nothing.

    Raises MeasurementsInvalid (every bad row's index and field) or IdempotencyConflict.
    """
    if len(rows) > MAX_ROWS:
        raise ApplicationError(
            _("At most %(n)d measurements per request; split the upload.") % {"n": MAX_ROWS}, field="rows"
        )
    if not rows:
        raise ApplicationError(_("Send at least one measurement."), field="rows")
    clean, errors = measurements_validate(organization=organization, rows=rows, now=now)
    if errors:
        raise MeasurementsInvalid(errors)
    return measurements_store(organization=organization, rows=clean, source=source)


def measurements_store(*, organization: Organization, rows: list[CleanRow], source: str) -> IngestResult:
    """Insert validated rows (callers hold a transaction); replays are skipped, conflicts raise.

    Once the transaction commits, new rows start a recomputation of the organization within seconds.
    """
    _lock_shared(organization.pk)
    received_at = timezone.now()
    created = replayed = 0
    # Every writer inserts keyed rows in the same (key) order: two requests sending the same keys in
    # different orders then wait on each other's first shared key instead of deadlocking.
    rows = sorted(rows, key=lambda r: (r.idempotency_key is None, r.idempotency_key or ""))
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start : start + INSERT_BATCH]
        if connection.vendor == "postgresql":
            batch_created, batch_replayed = _store_postgresql(organization.pk, batch, source, received_at)
        else:
            batch_created, batch_replayed = _store_portable(organization.pk, batch, source, received_at)
        created += batch_created
        replayed += batch_replayed
    if created:
        kpi_refresh_after_commit(organization.pk)
    return IngestResult(received=len(rows), created=created, replayed=replayed)


def _lock_shared(organization_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, %s)", [INGEST_LOCK_CLASS, organization_id]
            )


INCOMING = "rumbo_incoming_measurements"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    return "\\N" if value is None else str(value).translate(COPY_ESCAPES)


def _store_postgresql(organization_id, batch, source, received_at) -> tuple[int, int]:
    """COPY into a session-local table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.

    COPY is PostgreSQL's fastest way in; the keys the INSERT skipped were stored before (or by a
    concurrent request, which the unique index made this one wait for).
    """
    table = Measurement._meta.db_table
    columns = "organization_id, kpi_id, timestamp, value, source, idempotency_key, note, received_at"
    prefix = f"{organization_id}\t"
    suffix = f"\t{_copy_text(source)}\t"
    received = f"\t{received_at.isoformat()}\n"
    buffer = io.StringIO()
    buffer.writelines(
        f"{prefix}{r.kpi_id}\t{r.timestamp.isoformat()}\t{r.value}{suffix}"
        f"{_copy_text(r.idempotency_key)}\t{_copy_text(r.note) if r.note else ''}{received}"
        for r in batch
    )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {INCOMING} (organization_id bigint, kpi_id bigint, "
            "timestamp timestamptz, value numeric(20, 6), source varchar(10), idempotency_key varchar(128), "
            "note varchar(500), received_at timestamptz) ON COMMIT DELETE ROWS"
        )
        # Rows of an earlier batch of the same transaction (a long CSV file) must not be inserted twice.
        cursor.execute(f"TRUNCATE {INCOMING}")
        cursor.cursor.copy_expert(f"COPY {INCOMING} ({columns}) FROM STDIN", buffer)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {INCOMING} "
            "ORDER BY idempotency_key NULLS LAST "
            "ON CONFLICT (organization_id, idempotency_key) DO NOTHING RETURNING idempotency_key"
        )
        returned = cursor.fetchall()
    inserted_keys = {key for (key,) in returned if key is not None}
    skipped = [r for r in batch if r.idempotency_key is not None and r.idempotency_key not in inserted_keys]
    if skipped:
        _check_replays(organization_id, skipped)
    return len(returned), len(skipped)


def _store_portable(organization_id, batch, source, received_at) -> tuple[int, int]:
    """Other databases serialize writers, so a look-up before the insert cannot race."""
    keyed = [r for r in batch if r.idempotency_key is not None]
    existing = _check_replays(organization_id, keyed) if keyed else set()
    new = [r for r in batch if r.idempotency_key is None or r.idempotency_key not in existing]
    Measurement.objects.bulk_create(
        [
            Measurement(
                organization_id=organization_id,
                kpi_id=r.kpi_id,
                timestamp=r.timestamp,
                value=r.value,
                source=source,
                idempotency_key=r.idempotency_key,
                note=r.note,
                received_at=received_at,
            )
            for r in new
        ],
        batch_size=1000,
    )
    return len(new), len(batch) - len(new)


def _check_replays(organization_id: int, rows: list[CleanRow]) -> set[str]:
    """Keys of `rows` already stored; raise IdempotencyConflict when any was stored with other content."""
    stored = {}
    keys = [r.idempotency_key for r in rows]
    for start in range(0, len(keys), 1000):
        found = Measurement.objects.filter(
            organization_id=organization_id, idempotency_key__in=keys[start : start + 1000]
        ).values_list("idempotency_key", "kpi_id", "timestamp", "value", "note")
        stored.update({key: tuple(content) for key, *content in found})
    conflicts = [
        RowError(
            r.row,
            "idempotency_key",
            _("Key “%(key)s” was already used with different content.") % {"key": r.idempotency_key},
        )
        for r in rows
        if r.idempotency_key in stored and _normalized(stored[r.idempotency_key]) != _normalized(r.content())
    ]
    if conflicts:
        raise IdempotencyConflict(conflicts)
    return set(stored)


def _normalized(content: tuple) -> tuple:
    kpi_id, moment, value, note = content
    return (kpi_id, moment.astimezone(UTC), Decimal(value).quantize(QUANTUM), note or "")


# CSV files: the same validation, reported by line number.

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
    stream = _text_stream(file)
    seen_keys, clean, errors, lines = {}, [], [], 0
    try:
        for chunk in _chunks(_csv_rows(stream), chunk_size):
            numbers = [number for number, _ in chunk]
            rows = [_csv_row(row) for _, row in chunk]
            batch, batch_errors = measurements_validate(
                organization=organization,
                rows=rows,
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
