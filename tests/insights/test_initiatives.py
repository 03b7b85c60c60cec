"""Initiatives: equal windows before and during, at period edges in the organization's time zone, and
the comparison against the KPI's own usual variation."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from insights import rules, services
from insights.choices import ImpactVerdict
from insights.models import InitiativeImpact
from kpis import services as kpi_services
from kpis.choices import Cadence, Direction, MeasurementSource
from tests.kpis.factories import KpiFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")


def test_the_windows_are_equal_and_end_today_while_the_initiative_runs():
    span = rules.windows(start=date(2026, 11, 10), end=date(2026, 12, 31), today=date(2026, 11, 23))
    assert (span.before_start, span.start, span.until) == (
        date(2026, 10, 27),
        date(2026, 11, 10),
        date(2026, 11, 24),
    )
    assert span.days == 14
    ended = rules.windows(start=date(2026, 9, 1), end=date(2026, 9, 30), today=date(2026, 11, 23))
    assert (ended.before_start, ended.until) == (date(2026, 8, 2), date(2026, 10, 1))
    assert rules.windows(start=date(2026, 12, 1), end=date(2026, 12, 31), today=date(2026, 11, 23)) is None


def daily(start: date, values):
    return [(start + timedelta(days=i), Decimal(v), False) for i, v in enumerate(values)]


def test_a_change_beyond_twice_the_usual_variation_reads_as_an_effect():
    span = rules.windows(start=date(2026, 11, 11), end=date(2026, 11, 20), today=date(2026, 11, 23))
    history = daily(
        date(2026, 10, 20), [100, 104, 98, 101, 103, 99, 100, 102, 97, 101, 100, 103, 98, 101, 99, 100]
    )
    history += daily(date(2026, 11, 5), [100, 102, 99, 101, 100, 101])
    history += daily(date(2026, 11, 11), [112, 113, 111, 114, 112, 113, 112, 114, 111, 113])
    result = rules.compare(history, cadence=Cadence.DAILY, direction=Direction.HIGHER_IS_BETTER, span=span)
    assert result.before_periods == result.during_periods == 10
    assert result.change == pytest.approx(Decimal("0.12"), abs=Decimal("0.01"))
    assert result.usual_variation < Decimal("0.04")
    assert result.verdict == ImpactVerdict.BETTER
    # For a KPI where lower is better, the same rise is worse.
    lower = rules.compare(history, cadence=Cadence.DAILY, direction=Direction.LOWER_IS_BETTER, span=span)
    assert lower.verdict == ImpactVerdict.WORSE


def test_a_change_within_the_usual_variation_is_noise():
    span = rules.windows(start=date(2026, 11, 11), end=date(2026, 11, 20), today=date(2026, 11, 23))
    noisy = daily(
        date(2026, 11, 1),
        [100, 80, 120, 90, 110, 85, 115, 95, 105, 90, 100, 110, 95, 105, 100, 98, 104, 96, 108, 102],
    )
    result = rules.compare(noisy, cadence=Cadence.DAILY, direction=Direction.HIGHER_IS_BETTER, span=span)
    assert result.verdict == ImpactVerdict.NOISE


def test_partial_and_in_progress_periods_are_left_out():
    span = rules.windows(start=date(2026, 11, 10), end=date(2026, 12, 31), today=date(2026, 11, 23))
    monthly = [(date(2026, 10, 1), Decimal(50), False), (date(2026, 11, 1), Decimal(70), True)]
    result = rules.compare(monthly, cadence=Cadence.MONTHLY, direction=Direction.HIGHER_IS_BETTER, span=span)
    assert (result.before_periods, result.during_periods) == (0, 0)
    assert result.verdict == ImpactVerdict.UNKNOWN


def measure(kpi, moment, value):
    kpi_services.measurements_ingest(
        organization=kpi.organization,
        rows=[{"kpi": kpi.code, "timestamp": moment.isoformat(), "value": str(value)}],
        source=MeasurementSource.API,
    )


def test_windows_follow_the_organizations_days_at_their_edges(org_a, editor_a):
    org_a.time_zone = "Europe/Madrid"
    org_a.save()
    kpi = KpiFactory(organization=org_a, code="demos", cadence=Cadence.DAILY)
    start = date(2026, 11, 16)
    for day in range(1, 23):
        moment = datetime(2026, 11, day, 12, tzinfo=MADRID)
        measure(kpi, moment, 10)
    # 23:30 in Madrid on the day before the start is 22:30 UTC: it belongs to the "before" window.
    measure(kpi, datetime(2026, 11, 15, 23, 30, tzinfo=MADRID), 5)
    # 00:30 in Madrid on the start day is 23:30 UTC the day before: it belongs to "during".
    measure(kpi, datetime(2026, 11, 16, 0, 30, tzinfo=MADRID), 8)
    with time_machine.travel(datetime(2026, 11, 22, 10, tzinfo=UTC), tick=False):
        kpi_services.kpi_recompute(organization_id=org_a.pk)
        initiative = services.initiative_create(
            organization=org_a, title="New demo script", owner=editor_a.user, start=start,
            end=date(2026, 11, 30), kpis=[kpi],
        )  # fmt: skip
    impact = InitiativeImpact.objects.get(initiative=initiative, kpi=kpi)
    # During: 16 to 21 November (the 22nd is in progress) — 18 on the 16th, then 10 a day.
    assert (impact.before_start, impact.until) == (date(2026, 11, 9), date(2026, 11, 23))
    assert impact.during_periods == 6
    assert impact.during == pytest.approx(Decimal(68) / 6, abs=Decimal("0.000001"))
    # Before: 9 to 15 November — 15 on the 15th, 10 on the other six.
    assert impact.before_periods == 7
    assert impact.before == pytest.approx(Decimal(75) / 7, abs=Decimal("0.000001"))


def test_an_initiative_with_another_organizations_kpi_or_an_end_before_its_start_is_refused(
    org_a, org_b, editor_a
):
    foreign = KpiFactory(organization=org_b)
    with pytest.raises(ValidationError) as error:
        services.initiative_create(
            organization=org_a,
            title="X",
            owner=editor_a.user,
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
            kpis=[foreign],
        )
    assert "kpis" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.initiative_create(
            organization=org_a,
            title="X",
            owner=editor_a.user,
            start=date(2026, 11, 30),
            end=date(2026, 11, 1),
        )
    assert "end" in str(error.value)


def test_each_kpi_recomputation_compares_the_initiatives_again(org_a, editor_a):
    kpi = KpiFactory(organization=org_a, code="demos", cadence=Cadence.DAILY)
    with time_machine.travel(datetime(2026, 11, 22, 10, tzinfo=UTC), tick=False):
        initiative = services.initiative_create(
            organization=org_a, title="Script", owner=editor_a.user, start=date(2026, 11, 16),
            end=date(2026, 11, 30), kpis=[kpi],
        )  # fmt: skip
        impact = InitiativeImpact.objects.get(initiative=initiative)
        assert impact.during is None and impact.verdict == ImpactVerdict.UNKNOWN
        for day in range(9, 22):
            measure(kpi, datetime(2026, 11, day, 12, tzinfo=UTC), 10 if day < 16 else 14)
        kpi_services.kpi_recompute(organization_id=org_a.pk)
    impact.refresh_from_db()
    assert (impact.before, impact.during) == (Decimal(10), Decimal(14))
    assert impact.change == Decimal("0.4000")
