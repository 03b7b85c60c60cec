"""Idempotent ingestion under concurrency, on PostgreSQL (SQLite serializes writers anyway)."""

import os
import threading

import pytest
from django.db import connection, connections

from common.exceptions import ApplicationError
from kpis import services
from kpis.choices import MeasurementSource
from kpis.models import Measurement
from tests.kpis.factories import KpiFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("This test needs PostgreSQL: set DATABASE_URL.")
        pytest.skip("Concurrent ingestion is checked on PostgreSQL (set DATABASE_URL).")


def test_threads_posting_the_same_keys_store_each_once(org_a):
    KpiFactory(organization=org_a, code="deals_won")
    rows = [
        {
            "kpi": "deals_won",
            "timestamp": f"2026-01-01T{hour:02d}:00:00Z",
            "value": hour,
            "idempotency_key": f"k{hour}",
        }
        for hour in range(24)
    ]
    barrier = threading.Barrier(6)
    outcomes = []

    def post(offset):
        try:
            barrier.wait()
            # Every thread sends every key, in a different order, plus one key of its own.
            mine = rows[offset:] + rows[:offset]
            mine.append({**rows[0], "idempotency_key": f"own-{offset}", "value": 100 + offset})
            outcomes.append(
                services.measurements_ingest(organization=org_a, rows=mine, source=MeasurementSource.API)
            )
        except ApplicationError as error:  # pragma: no cover - reported by the assertion below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(offset * 4,)) for offset in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(not isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert sum(outcome.created for outcome in outcomes) == 24 + 6
    keys = list(Measurement.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 30


def test_concurrent_conflicting_content_is_refused_and_nothing_is_lost(org_a):
    KpiFactory(organization=org_a, code="deals_won")
    barrier = threading.Barrier(4)
    outcomes = []

    def post(value):
        try:
            barrier.wait()
            row = {
                "kpi": "deals_won",
                "timestamp": "2026-01-01T10:00:00Z",
                "value": value,
                "idempotency_key": "same",
            }
            services.measurements_ingest(organization=org_a, rows=[row], source=MeasurementSource.API)
            outcomes.append(value)
        except services.IdempotencyConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(value,)) for value in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [outcome for outcome in outcomes if outcome != "conflict"]
    assert len(winners) == 1 and outcomes.count("conflict") == 3
    assert list(Measurement.objects.values_list("value", flat=True)) == [winners[0]]
