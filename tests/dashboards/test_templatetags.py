"""The presentation tags: units, percentages, and statuses that never rely on colour alone."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from dashboards.templatetags import rumbo


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("20.0000"), "percent", "20 %"),
        (Decimal("3.5000"), "number", "3.5"),
        (Decimal("1200000.0000"), "currency", "1,200,000 EUR"),
        (Decimal("52"), "days", "52 d"),
        (Decimal("0.1234"), "number", "0.12"),
        (None, "number", "–"),
    ],
)
def test_quantity_formats_values_with_their_unit(value, unit, text):
    context = {"organization": SimpleNamespace(currency="EUR")}
    assert rumbo.quantity(context, value, unit) == text


def test_percent_rounds_a_fraction():
    assert rumbo.percent(Decimal("0.4251")) == "43 %"
    assert rumbo.percent(None) == "–"


@pytest.mark.parametrize("status", ["on_track", "at_risk", "off_track", "achieved", "stale", "not_started"])
def test_status_badge_carries_a_symbol_and_its_name(status):
    html = rumbo.status_badge(status, "Label")
    assert f'class="status status-{status}"' in html
    assert 'aria-hidden="true">' + rumbo.STATUS_SYMBOLS[status] in html and "Label" in html


def test_progress_bar_states_progress_and_expected_in_text():
    html = rumbo.progress_bar(Decimal("0.42"), Decimal("0.6"))
    assert "width:42%" in html and "left:60%" in html
    assert "42 % <small" in html and "expected 60 %" in html
    assert "width:100%" in rumbo.progress_bar(Decimal("1.7"))


def test_kpi_change_says_whether_the_move_is_better():
    context = {"organization": None}
    lower_is_better = SimpleNamespace(direction="lower", unit="days")
    assert "(better)" in rumbo.kpi_change(context, SimpleNamespace(change=Decimal(-3)), lower_is_better)
    assert "▼ −3 d" in rumbo.kpi_change(context, SimpleNamespace(change=Decimal(-3)), lower_is_better)
    higher = SimpleNamespace(direction="higher", unit="percent")
    assert "(worse)" in rumbo.kpi_change(context, SimpleNamespace(change=Decimal(-3)), higher)
    assert "no previous period" in rumbo.kpi_change(context, SimpleNamespace(change=None), higher)


@pytest.mark.parametrize(
    ("weight", "share", "text"),
    [
        (Decimal("3.00"), Decimal("0.6"), "weight 3 (60 %)"),
        (Decimal("1.50"), Decimal("0.3333"), "weight 1.5 (33 %)"),
        (Decimal("0.00"), None, "weight 0"),
    ],
)
def test_weight_label_gives_the_weight_and_its_share(weight, share, text):
    assert rumbo.weight_label(SimpleNamespace(weight=weight, weight_share=share)) == text
