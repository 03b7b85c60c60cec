"""Key results that follow a KPI."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.exceptions import ApplicationError
from kpis import services
from kpis.choices import MeasurementSource
from okrs import services as okr_services
from okrs.choices import CheckInSource, KpiWindow
from okrs.models import CheckIn
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_result(org_a, deals):
    cycle = CycleFactory(organization=org_a, start=date(2026, 1, 1), end=date(2026, 3, 31))
    objective = ObjectiveFactory(cycle=cycle)
    return KeyResultFactory(objective=objective, start_value=Decimal(10), target_value=Decimal(30))


def measure(org, rows):
    services.measurements_ingest(
        organization=org,
        rows=[{"kpi": code, "timestamp": stamp, "value": str(value)} for code, stamp, value in rows],
        source=MeasurementSource.API,
        now=datetime(2026, 3, 31, tzinfo=UTC),
    )


@pytest.fixture
def quarter(org_a, deals):
    measure(
        org_a,
        [
            ("deals_won", "2025-12-10T10:00:00Z", 9),  # before the cycle: never counted
            ("deals_closed", "2025-12-10T10:00:00Z", 10),
            ("deals_won", "2026-01-10T10:00:00Z", 2),
            ("deals_closed", "2026-01-10T10:00:00Z", 10),
            ("deals_won", "2026-02-10T10:00:00Z", 3),
            ("deals_closed", "2026-02-10T10:00:00Z", 10),
            ("deals_won", "2026-03-10T10:00:00Z", 4),
            ("deals_closed", "2026-03-10T10:00:00Z", 20),
        ],
    )


def refresh(org):
    run = services.kpi_refresh(organization_id=org.pk)
    assert run.state == "succeeded", run.error
    return run


def test_latest_period_window_takes_the_last_period_value(org_a, deals, key_result, quarter):
    okr_services.key_result_update(
        key_result=key_result, kpi=deals["rate"], kpi_window=KpiWindow.LATEST_PERIOD
    )
    run = refresh(org_a)
    key_result.refresh_from_db()
    assert run.key_results_synced == 1
    assert key_result.current_value == Decimal(20)  # March: 100 * 4 / 20
    check_in = CheckIn.objects.get(key_result=key_result)
    assert check_in.source == CheckInSource.KPI_SYNC and "win_rate" in check_in.note


def test_cycle_to_date_window_aggregates_since_the_cycle_start(org_a, deals, key_result, quarter):
    okr_services.key_result_update(
        key_result=key_result, kpi=deals["rate"], kpi_window=KpiWindow.CYCLE_TO_DATE
    )
    won = KeyResultFactory(objective=key_result.objective, start_value=Decimal(0), target_value=Decimal(20))
    okr_services.key_result_update(key_result=won, kpi=deals["won"], kpi_window=KpiWindow.CYCLE_TO_DATE)
    refresh(org_a)
    key_result.refresh_from_db()
    won.refresh_from_db()
    # The formula over its inputs' quarter totals: 100 * (2 + 3 + 4) / (10 + 10 + 20).
    assert key_result.current_value == Decimal("22.5")
    assert won.current_value == Decimal(9)


def test_progress_and_status_follow_in_the_same_chain(org_a, deals, key_result, quarter):
    okr_services.key_result_update(key_result=key_result, kpi=deals["rate"])
    refresh(org_a)
    key_result.refresh_from_db()
    key_result.objective.refresh_from_db()
    assert key_result.progress == Decimal("0.5")  # 20 on the way from 10 to 30
    measure(org_a, [("deals_won", "2026-03-20T10:00:00Z", 3)])
    refresh(org_a)
    key_result.refresh_from_db()
    key_result.objective.refresh_from_db()
    assert key_result.current_value == Decimal(35)
    assert key_result.progress == Decimal(1)
    assert key_result.objective.progress == Decimal(1)


def test_syncing_twice_adds_no_check_in(org_a, deals, key_result, quarter):
    okr_services.key_result_update(key_result=key_result, kpi=deals["rate"])
    refresh(org_a)
    assert services.key_results_sync(organization=org_a) == 0
    assert CheckIn.objects.filter(key_result=key_result).count() == 1


def test_manual_check_in_on_a_kpi_linked_key_result_is_refused(deals, key_result):
    okr_services.key_result_update(key_result=key_result, kpi=deals["rate"])
    with pytest.raises(ApplicationError, match="follows a KPI"):
        okr_services.check_in_create(key_result=key_result, value=Decimal(25), confidence=5)
    assert not CheckIn.objects.exists()


def test_a_key_result_cannot_follow_another_organizations_kpi(org_b, key_result):
    foreign = KpiFactory(organization=org_b, code="foreign")
    with pytest.raises(ValidationError, match="another organization"):
        okr_services.key_result_update(key_result=key_result, kpi=foreign)
