"""The recomputation against values computed independently in Python, incrementality and the run log."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.locks import held_lock
from kpis import rules, services
from kpis.choices import Aggregation, Cadence, Direction, KpiStatus, MeasurementSource, RunState
from kpis.models import KpiRun, KpiValue, Measurement
from kpis.services import recompute
from tests.kpis.factories import KpiFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")


def add(kpi, moment, value):
    services.measurements_ingest(
        organization=kpi.organization,
        rows=[{"kpi": kpi.code, "timestamp": moment.isoformat(), "value": str(value)}],
        source=MeasurementSource.API,
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )


def run(org, **kwargs):
    result = services.kpi_recompute(organization_id=org.pk, **kwargs)
    assert result.state == RunState.SUCCEEDED, result.error
    return result


def values(kpi) -> dict:
    return {v.period_start: v.value for v in KpiValue.objects.filter(kpi=kpi)}


def period_start(moment: datetime, cadence: str, zone) -> date:
    local = moment.astimezone(zone).date()
    if cadence == Cadence.DAILY:
        return local
    if cadence == Cadence.WEEKLY:
        return local - timedelta(days=local.weekday())
    if cadence == Cadence.MONTHLY:
        return local.replace(day=1)
    return local.replace(month=(local.month - 1) // 3 * 3 + 1, day=1)


def expected_aggregate(aggregation, rows):
    """rows: (timestamp, id, value) of one period."""
    numbers = [value for _, _, value in rows]
    return {
        Aggregation.SUM: lambda: sum(numbers),
        Aggregation.AVERAGE: lambda: sum(numbers) / len(numbers),
        Aggregation.MINIMUM: lambda: min(numbers),
        Aggregation.MAXIMUM: lambda: max(numbers),
        Aggregation.COUNT: lambda: Decimal(len(numbers)),
        Aggregation.LAST: lambda: max(rows, key=lambda row: (row[0], row[1]))[2],
    }[aggregation]()


def close(a, b):
    return a is not None and abs(Decimal(a) - Decimal(b)) <= Decimal("0.00001") * max(1, abs(Decimal(b)))


def test_every_aggregation_and_cadence_matches_an_independent_computation(org_a):
    org_a.time_zone = "Europe/Madrid"
    org_a.save()
    rng = random.Random(7)
    kpis = [
        KpiFactory(
            organization=org_a,
            code=f"{aggregation}_{cadence}",
            aggregation=aggregation,
            cadence=cadence,
            direction=rng.choice(list(Direction)),
            target=Decimal(50),
            warning_threshold=None,
            critical_threshold=None,
        )
        for aggregation in Aggregation
        for cadence in Cadence
    ]
    # Around the spring and autumn daylight-saving changes and the quarter boundary, in UTC.
    anchors = [
        datetime(2026, 3, 28, 21, tzinfo=UTC),
        datetime(2026, 3, 31, 20, tzinfo=UTC),
        datetime(2026, 10, 24, 20, tzinfo=UTC),
    ]
    rows = []
    for kpi in kpis:
        for _ in range(40):
            moment = rng.choice(anchors) + timedelta(minutes=rng.randrange(0, 60 * 30))
            rows.append(
                {
                    "kpi": kpi.code,
                    "timestamp": moment.isoformat(),
                    "value": str(Decimal(rng.randrange(-500, 10000)) / 100),
                }
            )
    services.measurements_ingest(organization=org_a, rows=rows, source=MeasurementSource.API)
    run(org_a)
    stored = {(v.kpi_id, v.period_start): v for v in KpiValue.objects.filter(kpi__organization=org_a)}
    for kpi in kpis:
        groups = defaultdict(list)
        for pk, moment, value in Measurement.objects.filter(kpi=kpi).values_list("pk", "timestamp", "value"):
            groups[period_start(moment, kpi.cadence, MADRID)].append((moment, pk, value))
        assert {start for (kpi_id, start) in stored if kpi_id == kpi.pk} == set(groups), kpi.code
        for start, members in groups.items():
            row = stored[(kpi.pk, start)]
            expected = expected_aggregate(kpi.aggregation, members)
            assert close(row.value, expected), (kpi.code, start, row.value, expected)
            assert row.measurement_count == len(members)
            assert row.status == rules.kpi_status(
                value=row.value, direction=kpi.direction, target=kpi.target, warning=None, critical=None
            )


def test_period_boundaries_follow_the_organization_time_zone_across_daylight_saving(org_a):
    org_a.time_zone = "Europe/Madrid"
    org_a.save()
    daily = KpiFactory(organization=org_a, code="daily", cadence=Cadence.DAILY)
    monthly = KpiFactory(organization=org_a, code="monthly", cadence=Cadence.MONTHLY)
    weekly = KpiFactory(organization=org_a, code="weekly", cadence=Cadence.WEEKLY)
    # 22:30 UTC is 00:30 the next day in summer time (UTC+2) but 23:30 the same day in winter (UTC+1).
    add(daily, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), 1)  # 25 Oct 00:30 CEST
    add(daily, datetime(2026, 10, 25, 22, 30, tzinfo=UTC), 2)  # 25 Oct 23:30 CET, after the change
    add(daily, datetime(2026, 3, 28, 23, 30, tzinfo=UTC), 4)  # 29 Mar 00:30 CET, before the change
    add(monthly, datetime(2026, 3, 31, 22, 30, tzinfo=UTC), 5)  # 1 Apr 00:30 CEST
    add(monthly, datetime(2026, 3, 31, 21, 30, tzinfo=UTC), 6)  # 31 Mar 23:30 CEST
    add(weekly, datetime(2026, 10, 25, 22, 59, tzinfo=UTC), 7)  # Sunday 25 Oct 23:59 CET
    add(weekly, datetime(2026, 10, 25, 23, 0, tzinfo=UTC), 8)  # Monday 26 Oct 00:00 CET
    run(org_a)
    assert values(daily) == {date(2026, 10, 25): Decimal(3), date(2026, 3, 29): Decimal(4)}
    assert values(monthly) == {date(2026, 4, 1): Decimal(5), date(2026, 3, 1): Decimal(6)}
    assert values(weekly) == {date(2026, 10, 19): Decimal(7), date(2026, 10, 26): Decimal(8)}


def test_status_previous_value_and_change(org_a):
    kpi = KpiFactory(
        organization=org_a,
        code="cycle_days",
        cadence=Cadence.MONTHLY,
        aggregation=Aggregation.AVERAGE,
        direction=Direction.LOWER_IS_BETTER,
        target=Decimal(52),
        warning_threshold=Decimal(58),
        critical_threshold=Decimal(65),
    )
    for month, value in [(1, 70), (2, 60), (3, 50)]:
        add(kpi, datetime(2026, month, 10, tzinfo=UTC), value)
    run(org_a)
    rows = list(KpiValue.objects.filter(kpi=kpi).order_by("period_start"))
    assert [r.status for r in rows] == [KpiStatus.RED, KpiStatus.AMBER, KpiStatus.GREEN]
    assert [r.previous_value for r in rows] == [None, Decimal(70), Decimal(60)]
    assert [r.change for r in rows] == [None, Decimal(-10), Decimal(-10)]


def test_formulas_are_evaluated_per_period_and_division_by_zero_gives_no_value(org_a, deals):
    margin = KpiFactory(
        organization=org_a,
        code="loss_rate",
        cadence=Cadence.MONTHLY,
        formula="100 - win_rate",
        target=Decimal(80),
    )
    add(deals["won"], datetime(2026, 1, 5, tzinfo=UTC), 3)
    add(deals["closed"], datetime(2026, 1, 6, tzinfo=UTC), 12)
    add(deals["won"], datetime(2026, 2, 5, tzinfo=UTC), 0)
    add(deals["closed"], datetime(2026, 2, 6, tzinfo=UTC), 0)
    run(org_a)
    assert values(deals["rate"]) == {date(2026, 1, 1): Decimal(25), date(2026, 2, 1): None}
    assert values(margin) == {date(2026, 1, 1): Decimal(75), date(2026, 2, 1): None}
    assert KpiValue.objects.get(kpi=margin, period_start=date(2026, 1, 1)).status == KpiStatus.AMBER


def test_incremental_run_touches_only_what_changed(org_a, deals):
    other = KpiFactory(organization=org_a, code="leads", cadence=Cadence.MONTHLY)
    for month in (1, 2, 3):
        add(deals["won"], datetime(2026, month, 5, tzinfo=UTC), month)
        add(deals["closed"], datetime(2026, month, 6, tzinfo=UTC), 10)
        add(other, datetime(2026, month, 7, tzinfo=UTC), 100)
    first = run(org_a)
    assert first.full and first.kpis_recomputed == 4
    before = {(v.kpi_id, v.period_start): v.computed_at for v in KpiValue.objects.all()}

    add(deals["won"], datetime(2026, 2, 20, tzinfo=UTC), 4)
    second = run(org_a)
    assert not second.full
    assert second.kpi_codes == ["deals_won", "win_rate"]
    assert second.periods_recomputed == 2  # deals_won and win_rate in February, nothing else
    assert second.watermark_from == first.watermark_to < second.watermark_to
    after = {(v.kpi_id, v.period_start): v.computed_at for v in KpiValue.objects.all()}
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {(deals["won"].pk, date(2026, 2, 1)), (deals["rate"].pk, date(2026, 2, 1))}
    assert values(deals["rate"])[date(2026, 2, 1)] == Decimal(60)
    # March's change is now against February's new value.
    march = KpiValue.objects.get(kpi=deals["won"], period_start=date(2026, 3, 1))
    assert (march.previous_value, march.change) == (Decimal(6), Decimal(-3))


def test_a_second_run_is_a_no_op(org_a, deals):
    add(deals["won"], datetime(2026, 1, 5, tzinfo=UTC), 3)
    add(deals["closed"], datetime(2026, 1, 6, tzinfo=UTC), 12)
    run(org_a)
    snapshot = list(KpiValue.objects.values_list("kpi_id", "period_start", "value", "status", "computed_at"))
    again = run(org_a)
    assert (again.kpis_recomputed, again.periods_recomputed, again.kpi_codes) == (0, 0, [])
    assert (
        list(KpiValue.objects.values_list("kpi_id", "period_start", "value", "status", "computed_at"))
        == snapshot
    )


def test_a_changed_definition_recomputes_all_periods_of_that_kpi(org_a, deals):
    for day in (5, 6):
        add(deals["won"], datetime(2026, 1, day, tzinfo=UTC), day)
        add(deals["closed"], datetime(2026, 1, day, tzinfo=UTC), 20)
    run(org_a)
    services.kpi_update(kpi=deals["won"], aggregation=Aggregation.MAXIMUM)
    again = run(org_a)
    assert again.kpi_codes == ["deals_won", "win_rate"]
    assert values(deals["won"]) == {date(2026, 1, 1): Decimal(6)}
    assert values(deals["rate"]) == {date(2026, 1, 1): Decimal(15)}


def test_a_run_that_fails_half_way_leaves_the_next_run_correct(org_a, deals, monkeypatch):
    add(deals["won"], datetime(2026, 1, 5, tzinfo=UTC), 3)
    add(deals["closed"], datetime(2026, 1, 6, tzinfo=UTC), 12)
    run(org_a)
    add(deals["won"], datetime(2026, 1, 7, tzinfo=UTC), 3)

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(recompute, "previous_values", crash)
    with pytest.raises(RuntimeError):
        services.kpi_recompute(organization_id=org_a.pk)
    failed = KpiRun.objects.latest("pk")
    assert failed.state == RunState.FAILED and "worker killed" in failed.error
    assert values(deals["won"]) == {date(2026, 1, 1): Decimal(3)}  # rolled back, not half-written
    monkeypatch.undo()
    run(org_a)
    assert values(deals["won"]) == {date(2026, 1, 1): Decimal(6)}
    assert values(deals["rate"]) == {date(2026, 1, 1): Decimal(50)}


def test_a_run_left_running_by_a_dead_worker_is_marked_failed(org_a, deals):
    KpiRun.objects.create(organization=org_a, state=RunState.RUNNING)
    run(org_a)
    assert KpiRun.objects.filter(state=RunState.FAILED, error__contains="Interrupted").count() == 1


def test_runs_never_overlap_for_one_organization(org_a, deals):
    with held_lock("kpis.recompute", org_a.pk) as acquired:
        assert acquired
        skipped = services.kpi_recompute(organization_id=org_a.pk)
    assert skipped.state == RunState.SKIPPED
    assert run(org_a).state == RunState.SUCCEEDED


@pytest.mark.parametrize("kpi_count", [2, 12])
def test_incremental_run_runs_constant_queries(org_a, kpi_count):
    kpis = [KpiFactory(organization=org_a, code=f"k{i}", cadence=Cadence.DAILY) for i in range(kpi_count)]
    run(org_a)
    rows = [
        {"kpi": kpi.code, "timestamp": f"2026-01-{day:02d}T10:00:00Z", "value": "1"}
        for kpi in kpis
        for day in (1, 2, 3)
    ]
    services.measurements_ingest(organization=org_a, rows=rows, source=MeasurementSource.API)
    with CaptureQueriesContext(connection) as queries:
        result = run(org_a)
    assert result.periods_recomputed == 3 * kpi_count
    # Run log, watermark (plus its advisory lock on PostgreSQL), touched periods, one aggregate upsert,
    # formulas, change, periods in progress (two), sync, then 5 for notifications' evaluation of the KPIs'
    # statuses (KPIs, savepoint, defaults, trackers): the same number whatever the number of KPIs. On
    # PostgreSQL the run's own lock adds two (taken and released). The derived figures (forecasts, data
    # quality, trends, guardrails: kpis.services.insights) add 19, also whatever the number of KPIs.
    assert len(queries) == 43 + 3 * (connection.vendor == "postgresql")


def test_formula_kpis_get_their_previous_value_and_change(org_a, deals):
    for month, won in [(1, 3), (2, 6), (3, 6)]:
        add(deals["won"], datetime(2026, month, 5, tzinfo=UTC), won)
        add(deals["closed"], datetime(2026, month, 6, tzinfo=UTC), 12)
    run(org_a)
    rows = list(KpiValue.objects.filter(kpi=deals["rate"]).order_by("period_start"))
    assert [r.value for r in rows] == [Decimal(25), Decimal(50), Decimal(50)]
    assert [r.previous_value for r in rows] == [None, Decimal(25), Decimal(50)]
    assert [r.change for r in rows] == [None, Decimal(25), Decimal(0)]

    add(deals["won"], datetime(2026, 3, 20, tzinfo=UTC), 3)  # March becomes 9 of 12: an incremental run
    run(org_a)
    march = KpiValue.objects.get(kpi=deals["rate"], period_start=date(2026, 3, 1))
    assert (march.value, march.previous_value, march.change) == (Decimal(75), Decimal(50), Decimal(25))
