"""Forecasts of key results and objectives, the status by forecast, guardrails and the biggest movers:
right when the write returns, and unchanged by the periodic safety net afterwards."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import StatusBasis
from kpis import services as kpi_services
from kpis.choices import Cadence, GuardrailComparison, MeasurementSource
from notifications.models import Notification
from okrs import services
from okrs.choices import Status
from okrs.models import KeyResultSnapshot
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
START = date(2026, 10, 1)


@pytest.fixture
def cycle(org_a):
    return CycleFactory(organization=org_a, start=START, end=date(2026, 12, 31))


def at(day: int, hour: int = 12) -> datetime:
    return datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC).replace(hour=hour)


def check_in(key_result, value, day):
    with time_machine.travel(at(day), tick=False):
        services.check_in_create(
            key_result=key_result, value=Decimal(value), confidence=7, checked_in_at=at(day)
        )


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def unchanged_by_the_safety_net(org, day):
    with time_machine.travel(at(day, 13), tick=False):
        assert services.progress_recompute(organization_id=org.pk).changed == 0


def make_key_result(cycle, **fields):
    objective = ObjectiveFactory(cycle=cycle)
    with time_machine.travel(at(0, 8), tick=False):
        return KeyResultFactory(objective=objective, **fields)


def test_a_key_result_on_a_steady_trend_is_forecast_at_its_due_date(cycle, org_a):
    key_result = make_key_result(cycle, start_value=Decimal(0), target_value=Decimal(100))
    for day, value in [(10, 10), (20, 21), (30, 29), (40, 40)]:
        check_in(key_result, value, day)
    key_result = fresh(key_result)
    # About one a day: at the end of 31 December (day 92) the trend gives about 92, short of 100.
    assert key_result.forecast_value == pytest.approx(Decimal(92), abs=Decimal(2))
    assert key_result.forecast_low < key_result.forecast_value < key_result.forecast_high
    assert key_result.forecast_probability < Decimal("0.5")
    objective = fresh(key_result.objective)
    assert objective.forecast_progress == pytest.approx(
        key_result.forecast_value / 100, abs=Decimal("0.0001")
    )
    assert objective.forecast_probability == key_result.forecast_probability
    unchanged_by_the_safety_net(org_a, 40)


def test_too_few_points_and_milestones_have_no_forecast(cycle):
    few = make_key_result(cycle)
    check_in(few, 10, 10)
    assert fresh(few).forecast_value is None
    milestone = make_key_result(cycle, kind="milestone", start_value=Decimal(0), target_value=Decimal(1))
    check_in(milestone, 0, 10)
    check_in(milestone, 0, 20)
    assert fresh(milestone).forecast_value is None


def test_the_status_follows_the_forecast_when_the_organization_chooses_it(cycle, org_a):
    # Slow start, then fast: behind the straight line, but the trend of the last weeks lands it.
    key_result = make_key_result(cycle, start_value=Decimal(0), target_value=Decimal(100))
    for day, value in [(30, 5), (40, 20), (45, 30), (50, 40)]:
        check_in(key_result, value, day)
    assert fresh(key_result).status == Status.AT_RISK  # 40 % at 55 % elapsed
    org_a.status_basis = StatusBasis.FORECAST
    org_a.save()
    with time_machine.travel(at(50, 13), tick=False):
        services.progress_refresh(cycle_ids=[cycle.pk])
    key_result = fresh(key_result)
    assert key_result.forecast_probability >= Decimal("0.5")
    assert key_result.status == Status.ON_TRACK
    unchanged_by_the_safety_net(org_a, 50)


def measure(kpi, value, day):
    kpi_services.measurements_ingest(
        organization=kpi.organization,
        rows=[{"kpi": kpi.code, "timestamp": at(day).isoformat(), "value": str(value)}],
        source=MeasurementSource.API,
    )
    with time_machine.travel(at(day, 14), tick=False):
        kpi_services.kpi_recompute(organization_id=kpi.organization_id)


def test_a_breached_guardrail_marks_the_key_result_and_its_objective_and_alerts_the_owners(cycle, org_a):
    key_result = make_key_result(cycle)
    discount = KpiFactory(organization=org_a, code="average_discount", cadence=Cadence.MONTHLY)
    measure(discount, 12, 20)
    guardrail = kpi_services.guardrail_create(
        key_result=key_result, kpi=discount, comparison=GuardrailComparison.AT_MOST, limit=Decimal(15)
    )
    assert (guardrail.breached, guardrail.value) == (False, Decimal(12))
    assert not fresh(key_result).guardrail_breached
    measure(discount, 30, 21)  # the month's discount now sums to 42: past 15
    assert fresh(guardrail).breached
    assert fresh(key_result).guardrail_breached
    assert fresh(key_result.objective).guardrail_breached
    owners = {key_result.owner_id, key_result.objective.owner_id}
    alerts = Notification.objects.filter(recipient_id__in=owners, title__icontains="guardrail")
    assert set(alerts.values_list("recipient_id", flat=True)) == owners
    unchanged_by_the_safety_net(org_a, 21)
    # Raising the limit clears the breach at once.
    kpi_services.guardrail_update(guardrail=fresh(guardrail), limit=Decimal(50))
    assert not fresh(key_result).guardrail_breached
    assert not fresh(key_result.objective).guardrail_breached


def test_an_at_least_guardrail_is_breached_below_its_limit(cycle, org_a):
    key_result = make_key_result(cycle)
    nps = KpiFactory(organization=org_a, code="nps", cadence=Cadence.MONTHLY)
    measure(nps, 35, 20)
    guardrail = kpi_services.guardrail_create(
        key_result=key_result, kpi=nps, comparison=GuardrailComparison.AT_LEAST, limit=Decimal(40)
    )
    assert guardrail.breached and fresh(key_result).guardrail_breached
    kpi_services.guardrail_delete(guardrail=guardrail)
    assert not fresh(key_result).guardrail_breached


def test_a_guardrail_on_another_organizations_kpi_is_refused(cycle, org_b):
    from django.core.exceptions import ValidationError

    key_result = make_key_result(cycle)
    foreign = KpiFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        kpi_services.guardrail_create(key_result=key_result, kpi=foreign, limit=Decimal(1))
    assert "kpi" in error.value.message_dict


def test_the_key_results_that_moved_progress_most_are_stored_on_the_objective(cycle, org_a):
    objective = ObjectiveFactory(cycle=cycle)
    with time_machine.travel(at(0, 8), tick=False):
        heavy = KeyResultFactory(objective=objective, weight=Decimal(3), title="Pipeline")
        light = KeyResultFactory(objective=objective, weight=Decimal(1), title="Demos")
        still = KeyResultFactory(objective=objective, weight=Decimal(1), title="Churn")
    with time_machine.travel(at(33), tick=False):
        services.progress_refresh(cycle_ids=[cycle.pk])  # the snapshot of 3 November
    check_in(heavy, 40, 40)
    check_in(light, 80, 40)
    objective = fresh(objective)
    week = objective.movers["7"]
    # Pipeline: 0.40 × 3/5 = 0.24; Demos: 0.80 × 1/5 = 0.16; Churn did not move.
    assert week == [[heavy.pk, "0.2400"], [light.pk, "0.1600"]]
    assert still.pk not in [pk for pk, _ in objective.movers["30"]]
    assert KeyResultSnapshot.objects.filter(key_result=heavy, date=START + timedelta(days=33)).exists()
    unchanged_by_the_safety_net(org_a, 40)


def test_a_team_roll_up_names_its_biggest_movers(cycle, org_a):
    from tests.accounts.factories import TeamFactory

    team = TeamFactory(organization=org_a)
    objective = ObjectiveFactory(cycle=cycle, team=team)
    other = ObjectiveFactory(cycle=cycle, team=team)
    with time_machine.travel(at(0, 8), tick=False):
        mover = KeyResultFactory(objective=objective)
        KeyResultFactory(objective=other)
    with time_machine.travel(at(33), tick=False):
        services.progress_refresh(cycle_ids=[cycle.pk])
    check_in(mover, 50, 40)
    rollup = team.rollups.get(cycle=cycle)
    assert rollup.movers["7"] == [[mover.pk, "0.2500"]]  # 0.50 in one of the team's two objectives
