"""KPI benchmark: recomputation against the raw SQL limit, incremental runs, and ingestion rate.

At scale 1: an organization with 1,000 KPIs (daily, weekly and monthly; every aggregation) and
1,000,000 measurements over a year. Measured in one run:

(a) full recomputation (`kpis.services.kpi_recompute(full=True)`) against one hand-written
    INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE into a scratch table of the same shape;
(b) an incremental run after 1,000 new measurements spread over 10 KPIs (median of three), as a
    fraction of (a): with timestamps in the last 30 days (`incremental_fraction`, new data) and spread
    over the whole year (`incremental_year_fraction`, back-filled history);
(c) ingestion through the REST endpoint (in-process client, batches of 5,000 with idempotency keys)
    against psycopg2's execute_values of the same rows into a scratch copy of the table.
Each timed step writes into an emptied (and, on PostgreSQL, vacuumed) target; (a) takes the best of
three runs of each side, alternating which side goes first.
"""

import io
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient
from tqdm import tqdm

from accounts.choices import Role
from accounts.models import Membership, Organization
from kpis import services
from kpis.choices import Aggregation, Cadence, Family, MeasurementSource
from kpis.models import Kpi, KpiRun, KpiValue, Measurement
from kpis.services import recompute

SLUG = "bench-kpis"
TIME_ZONE = "Europe/Madrid"
SIZES = {"kpis": 1000, "measurements": 1_000_000, "ingest_rows": 50_000}
BATCH = 5000
INCREMENTAL_ROWS, INCREMENTAL_KPIS = 1000, 10
REPEATS = 3
END = datetime(2026, 11, 1, tzinfo=UTC)
START = END - timedelta(days=365)
SCRATCH_VALUES = "bench_kpivalue_scratch"
SCRATCH_MEASUREMENTS = "bench_measurement_scratch"
MEASUREMENT_COLUMNS = "organization_id, kpi_id, timestamp, value, source, idempotency_key, note, received_at"


def run(results: dict, scale: float = 1.0) -> None:
    sizes = {
        name: max(int(size * scale), minimum)
        for (name, size), minimum in zip(SIZES.items(), (20, 2000, BATCH), strict=True)
    }
    print(f"KPI benchmark on {connection.vendor}: {sizes}")
    rng = random.Random(1)
    organization, user = _organization()
    try:
        kpis = _kpis(organization, sizes["kpis"])
        _load(organization, kpis, sizes["measurements"], rng)
        results.update(_recomputation(organization, kpis, rng))
        results.update(_ingestion(organization, user, kpis, sizes["ingest_rows"], rng))
        results["kpi_sizes"] = sizes
    finally:
        _drop_scratch()
        _delete(organization)


def _timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def _organization():
    old = Organization.objects.filter(slug=SLUG).first()
    if old is not None:
        _delete(old)
    organization = Organization.objects.create(name="Benchmark KPIs", slug=SLUG, time_zone=TIME_ZONE)
    user, _ = get_user_model().objects.get_or_create(username="bench-kpis-admin")
    Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    return organization, user


def _delete(organization: Organization) -> None:
    """Raw deletes first: the ORM would load a million measurements to cascade them."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {KpiValue._meta.db_table} WHERE kpi_id IN "
            f"(SELECT id FROM {Kpi._meta.db_table} WHERE organization_id = %s)",
            [organization.pk],
        )
        cursor.execute(
            f"DELETE FROM {Measurement._meta.db_table} WHERE organization_id = %s", [organization.pk]
        )
    organization.delete()


def _kpis(organization, count: int) -> list[Kpi]:
    cadences = [Cadence.DAILY, Cadence.WEEKLY, Cadence.MONTHLY]
    aggregations = list(Aggregation)
    return Kpi.objects.bulk_create(
        [
            Kpi(
                organization=organization,
                code=f"bench_{index:05d}",
                name=f"Benchmark KPI {index}",
                family=Family.SALES,
                cadence=cadences[index % 3],
                aggregation=aggregations[(index // 3) % len(aggregations)],
                target=Decimal(500),
                warning_threshold=Decimal(450),
                critical_threshold=Decimal(300),
                recompute_requested_at=None,
            )
            for index in range(count)
        ]
    )


def _rows(organization, kpis, count, rng, *, prefix=None, start=START, end=END):
    span = int((end - start).total_seconds())
    now = datetime.now(UTC)
    for index in range(count):
        kpi = kpis[rng.randrange(len(kpis))]
        moment = start + timedelta(seconds=rng.randrange(span))
        key = f"{prefix}-{index}" if prefix else None
        yield (organization.pk, kpi.pk, moment, Decimal(rng.randrange(0, 100000)) / 100, "api", key, "", now)


def _load(organization, kpis, count, rng) -> None:
    """Bulk load (not measured): COPY on PostgreSQL, bulk inserts elsewhere."""
    table = Measurement._meta.db_table
    chunk = 100_000
    with tqdm(total=count, desc="loading measurements", unit=" rows") as bar:
        rows = _rows(organization, kpis, count, rng)
        while True:
            batch = [next(rows, None) for _ in range(min(chunk, count - bar.n))]
            batch = [row for row in batch if row is not None]
            if not batch:
                break
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    buffer = io.StringIO()
                    for org_id, kpi_id, moment, value, source, _key, note, received in batch:
                        buffer.write(
                            f"{org_id}\t{kpi_id}\t{moment.isoformat()}\t{value}\t{source}\t\\N\t{note}\t{received.isoformat()}\n"
                        )
                    buffer.seek(0)
                    cursor.cursor.copy_expert(f"COPY {table} ({MEASUREMENT_COLUMNS}) FROM STDIN", buffer)
                else:
                    cursor.executemany(
                        f"INSERT INTO {table} ({MEASUREMENT_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})",
                        batch,
                    )
            bar.update(len(batch))
    # A table in steady state, as autovacuum leaves it: statistics and the visibility map.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")


def _raw_recompute_sql(organization) -> tuple[str, list]:
    """The physical limit: the same period aggregates, one statement, nothing else."""
    if connection.vendor == "postgresql":
        sql = f"""
            INSERT INTO {SCRATCH_VALUES} (
                kpi_id, period_start, value, measurement_count, status, in_progress, computed_at
            )
            SELECT m.kpi_id,
                CAST(CASE k.cadence
                    WHEN 'daily' THEN date_trunc('day', m.timestamp AT TIME ZONE %s)
                    WHEN 'weekly' THEN date_trunc('week', m.timestamp AT TIME ZONE %s)
                    WHEN 'monthly' THEN date_trunc('month', m.timestamp AT TIME ZONE %s)
                    WHEN 'quarterly' THEN date_trunc('quarter', m.timestamp AT TIME ZONE %s) END AS date),
                CASE k.aggregation
                    WHEN 'sum' THEN SUM(m.value) WHEN 'average' THEN AVG(m.value)
                    WHEN 'minimum' THEN MIN(m.value) WHEN 'maximum' THEN MAX(m.value)
                    WHEN 'count' THEN COUNT(*)
                    WHEN 'last' THEN (ARRAY_AGG(m.value ORDER BY m.timestamp DESC, m.id DESC)
                                      FILTER (WHERE k.aggregation = 'last'))[1] END,
                COUNT(*), 'none', false, now()
            FROM {Measurement._meta.db_table} m JOIN {Kpi._meta.db_table} k ON k.id = m.kpi_id
            WHERE k.organization_id = %s
            GROUP BY m.kpi_id, 2, k.aggregation
            ON CONFLICT (kpi_id, period_start) DO UPDATE SET value = excluded.value,
                measurement_count = excluded.measurement_count, computed_at = excluded.computed_at
        """
        return sql, [TIME_ZONE] * 4 + [organization.pk]
    # Elsewhere the period and "last" expressions are the backend's own functions.
    period, params = recompute.period_sql("m.timestamp", "k", TIME_ZONE)
    aggregate = recompute.AGGREGATE_SQL.format(last=recompute.sql.last_sql())
    sql = f"""
        INSERT INTO {SCRATCH_VALUES} (
                kpi_id, period_start, value, measurement_count, status, in_progress, computed_at
            )
        SELECT m.kpi_id, {period}, {aggregate}, COUNT(*), 'none', false, CURRENT_TIMESTAMP
        FROM {Measurement._meta.db_table} m JOIN {Kpi._meta.db_table} k ON k.id = m.kpi_id
        WHERE k.organization_id = %s
        GROUP BY m.kpi_id, 2, k.aggregation
        ON CONFLICT (kpi_id, period_start) DO UPDATE SET value = excluded.value,
            measurement_count = excluded.measurement_count, computed_at = excluded.computed_at
    """
    return sql, [*params, organization.pk]


def _scratch_tables() -> None:
    values, measurements = KpiValue._meta.db_table, Measurement._meta.db_table
    _drop_scratch()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The same shape: columns, defaults, indexes, checks, and the foreign key to the KPI that
            # every stored period value is checked against.
            cursor.execute(f"CREATE TABLE {SCRATCH_VALUES} (LIKE {values} INCLUDING ALL)")
            cursor.execute(
                f"ALTER TABLE {SCRATCH_VALUES} ADD FOREIGN KEY (kpi_id) REFERENCES {Kpi._meta.db_table} (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
            cursor.execute(f"CREATE TABLE {SCRATCH_MEASUREMENTS} (LIKE {measurements} INCLUDING ALL)")
        else:
            cursor.execute(f"CREATE TABLE {SCRATCH_VALUES} AS SELECT * FROM {values} WHERE 0")
            cursor.execute(
                f"CREATE UNIQUE INDEX bench_scratch_values ON {SCRATCH_VALUES} (kpi_id, period_start)"
            )
            cursor.execute(f"CREATE TABLE {SCRATCH_MEASUREMENTS} AS SELECT * FROM {measurements} WHERE 0")
            cursor.execute(
                f"CREATE UNIQUE INDEX bench_scratch_m ON {SCRATCH_MEASUREMENTS} "
                "(organization_id, idempotency_key)"
            )


def _vacuum(table: str) -> None:
    """Vacuum, then checkpoint, so that neither side of a comparison pays for the other's writes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {table}")
            try:
                cursor.execute("CHECKPOINT")
            except DatabaseError:  # only superusers (or pg_checkpoint members) may; the figures get noisier
                pass


def _drop_scratch() -> None:
    with connection.cursor() as cursor:
        for table in (SCRATCH_VALUES, SCRATCH_MEASUREMENTS):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _recomputation(organization, kpis, rng) -> dict:
    _scratch_tables()
    sql, params = _raw_recompute_sql(organization)
    with connection.cursor() as cursor:  # Warm the cache for both sides alike.
        cursor.execute(
            f"SELECT COUNT(*), SUM(value) FROM {Measurement._meta.db_table} WHERE organization_id = %s",
            [organization.pk],
        )

    def ours_clear():
        KpiValue.objects.filter(kpi__in=Kpi.objects.filter(organization=organization).values("pk")).delete()
        _vacuum(KpiValue._meta.db_table)

    def ours_run():
        services.kpi_recompute(organization_id=organization.pk, full=True)

    def raw_clear():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SCRATCH_VALUES}")
        _vacuum(SCRATCH_VALUES)

    def raw_run():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    # Each side writes into an emptied, vacuumed table; the order alternates between rounds.
    times = {"ours": [], "raw": []}
    sides = [("ours", ours_clear, ours_run), ("raw", raw_clear, raw_run)]
    for round_ in tqdm(range(REPEATS), desc="full recomputation vs raw SQL", unit=" round"):
        for name, clear, run_ in sides if round_ % 2 == 0 else reversed(sides):
            clear()
            times[name].append(_timed(run_))
    ours, raw = times["ours"], times["raw"]
    ours_count = KpiValue.objects.filter(kpi__organization=organization).count()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {SCRATCH_VALUES}")
        raw_count = cursor.fetchone()[0]
    assert ours_count == raw_count, (
        f"the recomputation stored {ours_count} periods, the raw statement {raw_count}"
    )

    incremental = {
        # New measurements usually describe recent days: the last 30 days.
        "recent": _incremental(organization, kpis, rng, start=END - timedelta(days=30)),
        # The harder case: back-filled history spread over the whole year.
        "year": _incremental(organization, kpis, rng, start=START),
    }
    full, limit = min(ours), min(raw)
    figures = {
        "recompute_full_s": round(full, 3),
        "recompute_sql_s": round(limit, 3),
        "recompute_ratio": round(full / limit, 2),
        "recompute_full_runs_s": [round(t, 3) for t in ours],
        "recompute_sql_runs_s": [round(t, 3) for t in raw],
        "recompute_periods": ours_count,
        "recompute_incremental_s": round(incremental["recent"], 3),
        "incremental_fraction": round(incremental["recent"] / full, 4),
        "recompute_incremental_year_s": round(incremental["year"], 3),
        "incremental_year_fraction": round(incremental["year"] / full, 4),
    }
    print(f"full recomputation {full:.2f} s, raw statement {limit:.2f} s: ratio {full / limit:.2f}")
    for name, seconds in incremental.items():
        print(
            f"incremental after {INCREMENTAL_ROWS} measurements on {INCREMENTAL_KPIS} KPIs "
            f"({name}): {seconds:.3f} s"
        )
    return figures


def _incremental(organization, kpis, rng, *, start) -> float:
    """The median of three incremental runs, each after 1,000 new measurements spread over 10 other KPIs
    (the ingestion is not measured)."""
    timings = []
    for _ in range(REPEATS):
        touched = rng.sample(kpis, min(INCREMENTAL_KPIS, len(kpis)))
        codes = {kpi.pk: kpi.code for kpi in touched}
        rows = [
            {"kpi": codes[kpi_id], "timestamp": moment.isoformat(), "value": str(value)}
            for _, kpi_id, moment, value, *_rest in _rows(
                organization, touched, INCREMENTAL_ROWS, rng, start=start
            )
        ]
        services.measurements_ingest(
            organization=organization, rows=rows, source=MeasurementSource.API, now=END
        )
        timings.append(_timed(lambda: services.kpi_recompute(organization_id=organization.pk)))
        run = KpiRun.objects.filter(organization=organization).latest("pk")
        assert run.kpis_recomputed == len(touched), run.kpi_codes
    return statistics.median(timings)


def _ingestion(organization, user, kpis, count, rng) -> dict:
    rows = list(_rows(organization, kpis, count, rng, prefix="bench", start=END - timedelta(days=30)))
    codes = {kpi.pk: kpi.code for kpi in kpis}
    bodies = [
        json.dumps(
            [
                {
                    "kpi": codes[kpi_id],
                    "timestamp": moment.isoformat(),
                    "value": str(value),
                    "idempotency_key": key,
                }
                for _, kpi_id, moment, value, _source, key, _note, _received in rows[start : start + BATCH]
            ]
        )
        for start in range(0, len(rows), BATCH)
    ]
    client = APIClient(HTTP_HOST="localhost")
    client.force_authenticate(user)

    def through_api():
        for body in tqdm(bodies, desc="ingestion through the API", unit=" batch"):
            response = client.post("/api/v1/measurements/", data=body, content_type="application/json")
            assert response.status_code == 201, response.content[:500]

    def raw_insert():
        for start in range(0, len(rows), BATCH):
            batch = [(*row[:5], f"raw-{row[5]}", *row[6:]) for row in rows[start : start + BATCH]]
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    from psycopg2.extras import execute_values

                    sql = f"INSERT INTO {SCRATCH_MEASUREMENTS} ({MEASUREMENT_COLUMNS}) VALUES %s"
                    execute_values(cursor.cursor, sql, batch, page_size=len(batch))
                else:
                    placeholders = ", ".join(["%s"] * 8)
                    cursor.executemany(
                        f"INSERT INTO {SCRATCH_MEASUREMENTS} ({MEASUREMENT_COLUMNS}) VALUES ({placeholders})",
                        batch,
                    )

    api = _timed(through_api)
    raw = _timed(raw_insert)
    stored = Measurement.objects.filter(
        organization=organization, idempotency_key__startswith="bench-"
    ).count()
    assert stored == len(rows), f"{stored} of {len(rows)} rows stored"
    figures = {
        "ingest_rows": len(rows),
        "ingest_rows_per_s": round(len(rows) / api),
        "ingest_raw_rows_per_s": round(len(rows) / raw),
        "ingest_ratio": round(raw / api, 2),
    }
    print(
        f"ingestion: {figures['ingest_rows_per_s']} rows/s through the API, "
        f"{figures['ingest_raw_rows_per_s']} rows/s raw"
    )
    return figures
