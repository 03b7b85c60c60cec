"""Data for the dashboard tests: an organization's OKRs and KPIs at a chosen size."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organization, Team
from kpis.choices import Direction, Family, KpiStatus, KpiUnit, MeasurementSource, RunState
from kpis.models import Kpi, KpiRun, KpiValue, Measurement
from okrs import services
from okrs.models import Cycle, Objective, Priority
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory


@dataclass
class World:
    organization: Organization
    cycle: Cycle
    team: Team
    priority: Priority
    objectives: list[Objective] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)


def world_build(organization: Organization, owner, *, size: int = 1, recompute: bool = True) -> World:
    """`size` objectives under one priority (every other one cascading from the first) with two key
    results each, one checked in; `size` KPIs with three monthly values; then the recomputation."""
    cycle = CycleFactory(
        organization=organization,
        name="Current quarter",
        start=timezone.localdate() - timedelta(days=45),
        end=timezone.localdate() + timedelta(days=45),
    )
    team = TeamFactory(organization=organization, name="Sales", lead=owner)
    priority = PriorityFactory(organization=organization, title="Sales efficiency")
    world = World(organization=organization, cycle=cycle, team=team, priority=priority)
    for i in range(size):
        parent = world.objectives[0] if i % 2 and world.objectives else None
        objective = ObjectiveFactory(
            cycle=cycle, owner=owner, team=team, priority=priority, parent=parent, title=f"Objective {i}"
        )
        first = KeyResultFactory(objective=objective, owner=owner, title=f"Key result {i}a")
        KeyResultFactory(objective=objective, owner=owner, title=f"Key result {i}b")
        services.check_in_create(key_result=first, value=Decimal(40), confidence=6, author=owner)
        world.objectives.append(objective)
    for i in range(size):
        world.kpis.append(
            kpi_build(organization, code=f"kpi_{i}", name=f"Win rate {i}", team=team, owner=owner)
        )
    if world.kpis and world.objectives:
        world.kpis[0].objectives.add(world.objectives[0])
    if recompute:
        services.progress_recompute(organization_id=organization.pk)
    return world


def kpi_build(
    organization: Organization,
    *,
    code: str,
    name: str,
    values: tuple = (Decimal(20), Decimal(24), Decimal(18)),
    statuses: tuple = (KpiStatus.AMBER, KpiStatus.GREEN, KpiStatus.RED),
    family: str = Family.SALES,
    **fields,
) -> Kpi:
    """A KPI with one value per month (oldest first) as the recomputation would have stored them."""
    kpi = Kpi.objects.create(
        organization=organization,
        code=code,
        name=name,
        family=family,
        unit=KpiUnit.PERCENT,
        direction=Direction.HIGHER_IS_BETTER,
        target=Decimal(25),
        warning_threshold=Decimal(22),
        critical_threshold=Decimal(19),
        benchmark=Decimal(21),
        **fields,
    )
    previous = None
    for index, (value, status) in enumerate(zip(values, statuses, strict=True)):
        KpiValue.objects.create(
            kpi=kpi,
            period_start=date(2026, 8 + index, 1),
            value=value,
            measurement_count=1,
            status=status,
            previous_value=previous,
            change=None if previous is None else value - previous,
        )
        previous = value
    Measurement.objects.create(
        organization=organization,
        kpi=kpi,
        timestamp=timezone.now(),
        value=values[-1],
        source=MeasurementSource.API,
    )
    KpiRun.objects.create(
        organization=organization, state=RunState.SUCCEEDED, kpi_codes=[code], finished_at=timezone.now()
    )
    return kpi
