"""What the recomputation derives and stores after the period values: forecasts, trends, the split of a
formula's change between its inputs, data quality (per KPI, per organization, as a KPI) and its alerts."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import Role
from kpis import services
from kpis.choices import Aggregation, Cadence, Direction, MeasurementSource, QualityIssueKind, RunState
from kpis.models import Kpi, KpiValue, Measurement
from notifications.models import Notification
from okrs.choices import KpiWindow
from tests.accounts.factories import MembershipFactory
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def ingest(kpi, rows):
    services.measurements_ingest(
        organization=kpi.organization,
        rows=[
            {"kpi": kpi.code, "timestamp": moment.isoformat(), "value": str(value)} for moment, value in rows
        ],
        source=MeasurementSource.API,
    )


def monthly(kpi, values, *, year=2026, first_month=1):
    ingest(kpi, [(datetime(year, first_month + i, 10, 12, tzinfo=UTC), v) for i, v in enumerate(values)])


def run(org):
    with time_machine.travel(NOW, tick=False):
        result = services.kpi_recompute(organization_id=org.pk)
    assert result.state == RunState.SUCCEEDED, result.error
    return result


def fresh(kpi):
    return Kpi.objects.get(pk=kpi.pk)


def test_a_kpi_with_a_trend_gets_a_forecast_for_the_cycle_end(org_a):
    CycleFactory(organization=org_a, start=date(2026, 10, 1), end=date(2026, 12, 31))
    kpi = KpiFactory(organization=org_a, cadence=Cadence.MONTHLY, target=Decimal(200))
    monthly(kpi, [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200])  # January to November
    run(org_a)
    kpi = fresh(kpi)
    assert kpi.forecast_period_start == date(2026, 12, 1)
    # November is still in progress: the trend runs over January to October (+10 a month).
    assert kpi.forecast_value == pytest.approx(Decimal(210), abs=Decimal("0.01"))
    assert kpi.forecast_low <= kpi.forecast_value <= kpi.forecast_high
    assert kpi.forecast_probability > Decimal("0.9")


def test_without_three_complete_periods_there_is_no_forecast(org_a):
    kpi = KpiFactory(organization=org_a, cadence=Cadence.MONTHLY, target=Decimal(200))
    monthly(kpi, [100, 110, 120], first_month=9)  # September, October and November in progress
    run(org_a)
    assert fresh(kpi).forecast_value is None


def test_the_trend_compares_the_last_complete_period_with_the_one_before(org_a):
    better = KpiFactory(organization=org_a, code="won", cadence=Cadence.MONTHLY)
    worse = KpiFactory(
        organization=org_a, code="cycle_days", cadence=Cadence.MONTHLY, direction=Direction.LOWER_IS_BETTER
    )
    monthly(better, [80, 100, 3], first_month=9)  # November holds one partial day: never compared
    monthly(worse, [40, 50, 1], first_month=9)
    run(org_a)
    assert fresh(better).trend == Decimal("0.2500")
    assert fresh(better).trend_period_start == date(2026, 10, 1)
    assert fresh(worse).trend == Decimal("-0.2500")


def test_a_formula_change_is_split_between_its_inputs_and_the_parts_add_up(deals):
    org = deals["won"].organization
    monthly(deals["won"], [20, 21], first_month=9)  # deals won +5 %
    monthly(deals["closed"], [80, 96], first_month=9)  # deals closed +20 %
    run(org)
    split = fresh(deals["rate"]).contributions
    assert split["period_start"] == "2026-10-01" and split["previous_period_start"] == "2026-09-01"
    change = Decimal(split["change"])
    assert change == Decimal("21.875") - Decimal("25")  # win rate 25 % → 21.875 %
    shares = {item["code"]: Decimal(item["contribution"]) for item in split["inputs"]}
    assert sum(shares.values()) == pytest.approx(change, abs=Decimal("0.00001"))
    assert shares["deals_closed"] < 0 < shares["deals_won"]
    assert [item["code"] for item in split["inputs"]][0] == "deals_closed"  # the bigger part first


def test_a_kpi_without_measurements_due_is_stale_and_lowers_the_organization_score(org_a):
    fresh_kpi = KpiFactory(organization=org_a, code="leads", cadence=Cadence.DAILY)
    stale_kpi = KpiFactory(organization=org_a, code="demos", cadence=Cadence.DAILY)
    ingest(fresh_kpi, [(datetime(2026, 11, 23, 15, tzinfo=UTC), 4)])
    ingest(stale_kpi, [(datetime(2026, 11, 10, 15, tzinfo=UTC), 4)])
    result = run(org_a)
    assert fresh(fresh_kpi).quality_score == Decimal(1)
    stale = fresh(stale_kpi)
    assert stale.quality_issues[0]["kind"] == QualityIssueKind.STALE
    assert stale.quality_score == Decimal("0.70")
    assert result.quality_score == Decimal("0.8500")


def test_duplicates_without_an_idempotency_key_are_suspected(org_a):
    kpi = KpiFactory(organization=org_a, code="leads", cadence=Cadence.DAILY)
    moment = datetime(2026, 11, 23, 15, tzinfo=UTC)
    ingest(kpi, [(moment, 4), (moment, 4), (moment, 5)])
    run(org_a)
    issues = {issue["kind"]: issue for issue in fresh(kpi).quality_issues}
    assert issues[QualityIssueKind.DUPLICATES]["count"] == 1


def test_the_data_quality_kpi_follows_the_organization_score_and_a_key_result_can_follow_it(org_a):
    KpiFactory(organization=org_a, code="leads", cadence=Cadence.DAILY)  # nothing ever sent: stale
    ok = KpiFactory(organization=org_a, code="demos", cadence=Cadence.DAILY)
    ingest(ok, [(datetime(2026, 11, 23, 15, tzinfo=UTC), 4)])
    quality = KpiFactory(
        organization=org_a, code="data_quality", cadence=Cadence.DAILY, aggregation=Aggregation.LAST
    )
    cycle = CycleFactory(organization=org_a, start=date(2026, 10, 1), end=date(2026, 12, 31))
    key_result = KeyResultFactory(
        objective=ObjectiveFactory(cycle=cycle),
        start_value=Decimal(80),
        target_value=Decimal(98),
        current_value=Decimal(80),
        kpi=quality,
        kpi_window=KpiWindow.LATEST_PERIOD,
    )
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        Kpi.objects.filter(code="leads").update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    run(org_a)
    value = KpiValue.objects.get(kpi=quality, period_start=date(2026, 11, 24))
    assert value.value == Decimal("85.00")  # (1 + 0.70) / 2
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal("85.0000")
    # The next run finds the same score: nothing is stored twice.
    run(org_a)
    assert Measurement.objects.filter(kpi=quality).count() == 1


def test_a_kpi_whose_quality_drops_alerts_its_owner(org_a):
    owner = MembershipFactory(organization=org_a, role=Role.EDITOR).user
    kpi = KpiFactory(organization=org_a, code="leads", cadence=Cadence.DAILY, owner=owner)
    ingest(kpi, [(datetime(2026, 11, 23, 15, tzinfo=UTC), 4)])
    run(org_a)
    assert fresh(kpi).quality_score == Decimal(1)
    moment = datetime(2026, 11, 23, 16, tzinfo=UTC)
    ingest(kpi, [(moment, 4), (moment, 4)])  # a retried upload without keys
    run(org_a)
    assert fresh(kpi).quality_score == Decimal("0.95")
    assert not Notification.objects.filter(recipient=owner).exists()  # a fall of 10 points alerts
    ingest(kpi, [(moment, 4), (moment, 4)])
    run(org_a)
    assert fresh(kpi).quality_score == Decimal("0.85")
    alert = Notification.objects.get(recipient=owner)
    assert "leads" in alert.title.lower() or kpi.name in alert.title
    assert alert.link.startswith("/data-quality/")


def test_a_second_run_changes_none_of_the_derived_figures(deals):
    org = deals["won"].organization
    monthly(deals["won"], [20, 21, 25, 22], first_month=7)
    monthly(deals["closed"], [80, 96, 90, 88], first_month=7)
    run(org)
    fields = [
        "forecast_value",
        "quality_score",
        "quality_issues",
        "trend",
        "contributions",
        "quality_checked_at",
    ]
    before = list(Kpi.objects.order_by("pk").values_list(*fields))
    run(org)
    assert list(Kpi.objects.order_by("pk").values_list(*fields)) == before
