"""Concurrent writes and scheduled recomputations of one cycle, on PostgreSQL (SQLite serializes writers)."""

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from okrs import services
from okrs.models import KeyResult, Objective, RollUp
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("This test needs PostgreSQL: set DATABASE_URL.")
        pytest.skip("Concurrent writes are checked on PostgreSQL (set DATABASE_URL).")


def test_concurrent_check_ins_and_recomputations_neither_deadlock_nor_lose_a_figure():
    cycle = CycleFactory()
    team = TeamFactory(organization=cycle.organization)
    objectives = [ObjectiveFactory(cycle=cycle, team=team) for _ in range(3)]
    key_results = [
        KeyResultFactory(objective=o, start_value=0, target_value=100) for o in objectives for _ in range(2)
    ]
    barrier = threading.Barrier(len(key_results) + 2)
    errors = []

    def check_in(key_result, value):
        try:
            barrier.wait()
            services.check_in_create(key_result=key_result, value=Decimal(value), confidence=5)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    def recompute():
        try:
            barrier.wait()
            services.cycle_refresh(cycle_id=cycle.pk)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=check_in, args=(kr, 10 * (i + 1))) for i, kr in enumerate(key_results)]
    threads += [threading.Thread(target=recompute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors

    # Every check-in landed and every figure agrees with its key results, whatever the interleaving.
    progress = {kr.pk: kr.progress for kr in KeyResult.objects.all()}
    assert sorted(progress.values()) == [Decimal(v) / 10 for v in range(1, 7)]
    for objective in Objective.objects.prefetch_related("key_results"):
        krs = list(objective.key_results.all())
        assert objective.progress == sum(kr.progress for kr in krs) / len(krs)
    expected_team = sum(Decimal(v) / 10 for v in range(1, 7)) / 6
    assert RollUp.objects.get(cycle=cycle, team=team).progress == expected_team.quantize(Decimal("0.0001"))
    assert services.cycle_refresh(cycle_id=cycle.pk).changed == 0
