from decimal import Decimal

import pytest

from kpis import rules
from kpis.choices import Aggregation, Direction, KpiStatus

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
