from datetime import date, datetime
from decimal import Decimal

import pytest

from kpis import rules
from kpis.choices import Aggregation, Cadence, Direction, KpiStatus

D = Decimal
HIGH, LOW = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


@pytest.mark.parametrize(
    ("value", "direction", "target", "warning", "critical", "expected"),
    [
        (None, HIGH, D(10), None, None, KpiStatus.NONE),
        (D(5), HIGH, None, None, None, KpiStatus.NONE),
        (D(10), HIGH, D(10), None, None, KpiStatus.GREEN),
        (D(9), HIGH, D(10), None, None, KpiStatus.AMBER),
        (D(95), HIGH, D(100), D(90), D(80), KpiStatus.GREEN),
        (D(90), HIGH, D(100), D(90), D(80), KpiStatus.GREEN),
        (D(85), HIGH, D(100), D(90), D(80), KpiStatus.AMBER),
        (D(80), HIGH, D(100), D(90), D(80), KpiStatus.AMBER),
        (D(79), HIGH, D(100), D(90), D(80), KpiStatus.RED),
        (D(50), LOW, D(52), D(58), D(65), KpiStatus.GREEN),
        (D(60), LOW, D(52), D(58), D(65), KpiStatus.AMBER),
        (D(66), LOW, D(52), D(58), D(65), KpiStatus.RED),
        (D(1), HIGH, None, None, D(2), KpiStatus.RED),
        (D(3), HIGH, None, None, D(2), KpiStatus.GREEN),
    ],
)
def test_kpi_status(value, direction, target, warning, critical, expected):
    status = rules.kpi_status(
        value=value, direction=direction, target=target, warning=warning, critical=critical
    )
    assert status == expected


def test_threshold_order_is_checked_by_direction():
    assert rules.threshold_errors(direction=HIGH, warning=D(90), critical=D(95))
    assert not rules.threshold_errors(direction=HIGH, warning=D(90), critical=D(80))
    assert rules.threshold_errors(direction=LOW, warning=D(58), critical=D(50))


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        (Aggregation.SUM, D(60)),
        (Aggregation.COUNT, D(60)),
        (Aggregation.MINIMUM, D(10)),
        (Aggregation.MAXIMUM, D(30)),
        (Aggregation.LAST, D(30)),
        # Weighted by measurement counts: (10*1 + 20*2 + 30*3) / 6.
        (Aggregation.AVERAGE, D(140) / 6),
    ],
)
def test_combine_periods(aggregation, expected):
    periods = [(D(10), 1), (None, 0), (D(20), 2), (D(30), 3)]
    assert rules.combine_periods(aggregation, periods) == expected


@pytest.mark.parametrize(
    ("value", "direction", "target", "expected"),
    [
        (D(110), HIGH, D(110), True),
        (D("106.81"), HIGH, D(110), False),
        (D(2), LOW, D(2), True),
        (D("2.5"), LOW, D(2), False),
        (None, HIGH, D(1), None),
        (D(1), HIGH, None, None),
    ],
)
def test_kpi_on_target(value, direction, target, expected):
    assert rules.kpi_on_target(value=value, direction=direction, target=target) is expected


@pytest.mark.parametrize(
    ("status", "on_target", "direction", "has_warning", "expected"),
    [
        (KpiStatus.GREEN, True, HIGH, True, "On or above target"),
        (KpiStatus.GREEN, False, HIGH, True, "Below target, within tolerance"),
        (KpiStatus.GREEN, False, LOW, True, "Above target, within tolerance"),
        (KpiStatus.GREEN, None, HIGH, True, "At or above the warning threshold"),
        (KpiStatus.GREEN, None, LOW, False, "At or below the critical threshold"),
        (KpiStatus.AMBER, False, HIGH, True, "Amber: below the warning threshold"),
        (KpiStatus.AMBER, False, LOW, False, "Amber: above target"),
        (KpiStatus.RED, False, HIGH, True, "Red: below the critical threshold"),
        (KpiStatus.NONE, None, HIGH, False, "No status"),
    ],
)
def test_kpi_status_label(status, on_target, direction, has_warning, expected):
    label = rules.kpi_status_label(
        status=status, on_target=on_target, direction=direction, has_warning=has_warning
    )
    assert label == expected


@pytest.mark.parametrize(
    ("day", "cadence", "start", "end"),
    [
        (date(2026, 11, 23), Cadence.DAILY, date(2026, 11, 23), date(2026, 11, 24)),
        (date(2026, 11, 23), Cadence.WEEKLY, date(2026, 11, 23), date(2026, 11, 30)),
        (date(2026, 11, 29), Cadence.WEEKLY, date(2026, 11, 23), date(2026, 11, 30)),
        (date(2026, 12, 31), Cadence.MONTHLY, date(2026, 12, 1), date(2027, 1, 1)),
        (date(2026, 2, 14), Cadence.MONTHLY, date(2026, 2, 1), date(2026, 3, 1)),
        (date(2026, 11, 23), Cadence.QUARTERLY, date(2026, 10, 1), date(2027, 1, 1)),
        (date(2026, 3, 31), Cadence.QUARTERLY, date(2026, 1, 1), date(2026, 4, 1)),
    ],
)
def test_period_start_and_end(day, cadence, start, end):
    assert rules.period_start(day, cadence) == start
    assert rules.period_end(start, cadence) == end


def test_the_same_span_keeps_the_wall_clock_offset():
    end = rules.same_span_end(
        start=date(2026, 11, 1), latest=datetime(2026, 11, 23, 9, 45), previous_start=date(2026, 10, 1)
    )
    assert end == datetime(2026, 10, 23, 9, 45)
