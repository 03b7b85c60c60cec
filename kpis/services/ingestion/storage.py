"""Storing validated measurements: one statement per batch, idempotency keys replayed or refused."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.exceptions import ApplicationError
from kpis.models import Measurement
from kpis.services.ingestion.validation import (
    MAX_ROWS,
    QUANTUM,
    CleanRow,
    MeasurementsInvalid,
    RowError,
    measurements_validate,
)
from kpis.services.scheduling import kpi_refresh_after_commit

INSERT_BATCH = 5_000
# Ingestion holds this PostgreSQL advisory lock (shared) while it inserts, and the recomputation takes
# it exclusively for an instant to read its watermark: every measurement id at or below the watermark
# is then committed, so an incremental run never skips a slow transaction's rows.
INGEST_LOCK_CLASS = 0x4B5049


@dataclass(frozen=True)
class IngestResult:
    received: int
    created: int
    replayed: int


class IdempotencyConflict(ApplicationError):
    """An idempotency key was already used with different content. Nothing was stored."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            _("An idempotency key was already used with different content; nothing was stored."),
            field="idempotency_key",
        )
        self.errors = errors


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
