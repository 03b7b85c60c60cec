"""dashboards.charts: series in, Plotly figure dicts out (no database)."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards import charts
from kpis.choices import Direction, KpiStatus
from kpis.rules import kpi_status

DAYS = [date(2026, 10, 1), date(2026, 10, 8), date(2026, 10, 15)]


def _titles(figure):
    layout = figure["layout"]
    return layout["title"]["text"], layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]


def test_progress_chart_shows_percentages_against_the_expected_line_across_the_cycle():
    figure = charts.progress_over_time(
        title="Progress over time",
        dates=DAYS,
        progress=[Decimal("0.1"), Decimal("0.25"), Decimal("0.4213")],
        expected=[Decimal("0.01"), Decimal("0.09"), Decimal("0.17")],
        key_results=[("Close rate", DAYS[:2], [Decimal("0.5"), Decimal("0.6")])],
        cycle=(date(2026, 10, 1), date(2026, 12, 31)),
    )
    actual, expected, key_result = figure["data"]
    assert actual["y"] == [10.0, 25.0, 42.13]
    assert actual["x"] == ["2026-10-01", "2026-10-08", "2026-10-15"]
    assert expected["name"] == "Expected progress"
    assert expected["x"] == ["2026-10-01", "2026-12-31"] and expected["y"] == [0.0, 100.0]
    assert key_result["name"] == "Close rate" and key_result["y"] == [50.0, 60.0]
    assert _titles(figure) == ("Progress over time", "Date", "Progress (%)")
    assert figure["layout"]["xaxis"]["range"] == ["2026-10-01", "2026-12-31"]
    json.dumps(figure)  # embeddable as is: no Decimal or date left


def test_progress_chart_without_cycle_draws_the_stored_expected_progress():
    figure = charts.progress_over_time(
        title="t", dates=DAYS, progress=[0, 0, 0], expected=[Decimal("0.1"), Decimal("0.2"), Decimal("0.3")]
    )
    assert figure["data"][1]["y"] == [10.0, 20.0, 30.0]
    assert "range" not in figure["layout"]["xaxis"]


def test_priority_chart_has_one_bar_and_one_expected_mark_per_priority():
    figure = charts.priority_progress(
        title="Progress by priority",
        names=["Sales efficiency", "Retention"],
        progress=[Decimal("0.54"), Decimal("0.32")],
        expected=[Decimal("0.59"), Decimal("0.59")],
    )
    bars, marks = figure["data"]
    assert (
        bars["type"] == "bar" and bars["x"] == [54.0, 32.0] and bars["y"] == ["Sales efficiency", "Retention"]
    )
    assert marks["x"] == [59.0, 59.0]
    assert _titles(figure) == ("Progress by priority", "Progress (%)", "Priority")
    json.dumps(figure)


def test_kpi_chart_has_target_benchmark_and_bands_with_the_unit_on_the_axis():
    figure = charts.kpi_series(
        title="Win rate by monthly period",
        unit="%",
        dates=DAYS,
        values=[Decimal("20"), None, Decimal("24.5")],
        targets=[Decimal(25)] * 3,
        benchmark=Decimal(21),
        bands=charts.kpi_bands(higher_is_better=True, target=25, warning=22, critical=19),
    )
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Actual", "Target", "Benchmark"]
    assert figure["data"][0]["y"] == [20.0, None, 24.5]
    assert figure["data"][2]["y"] == [21.0, 21.0]
    assert _titles(figure) == ("Win rate by monthly period", "Period", "Value (%)")
    labels = sorted(shape["label"]["text"] for shape in figure["layout"]["shapes"])
    assert labels == ["Amber", "Green", "Red"]
    json.dumps(figure)


def test_kpi_chart_without_target_or_thresholds_draws_the_values_only():
    figure = charts.kpi_series(title="Deals", unit="", dates=DAYS, values=[1, 2, 3])
    assert [trace["name"] for trace in figure["data"]] == ["Actual"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "Value"
    assert figure["layout"]["shapes"] == []


def test_no_bands_without_thresholds():
    assert charts.kpi_bands(higher_is_better=True, target=None, warning=None, critical=None) == []


def _band_colour(bands, value: float) -> str | None:
    for band in bands:
        low = float("-inf") if band.low is None else float(band.low)
        high = float("inf") if band.high is None else float(band.high)
        # Green includes its threshold; the other bands' edges belong to their better neighbour.
        if low < value < high or (band.colour == "green" and value in (low, high)):
            return band.colour
    return None


thresholds = st.one_of(st.none(), st.integers(-50, 150))


@given(
    higher=st.booleans(),
    target=thresholds,
    warning=thresholds,
    critical=thresholds,
    value=st.integers(-100, 200),
)
def test_bands_agree_with_the_kpi_status_rule(higher, target, warning, critical, value):
    good = warning if warning is not None else target
    if good is not None and critical is not None and (critical > good if higher else critical < good):
        return  # refused by kpis.rules.threshold_errors: never stored
    bands = charts.kpi_bands(higher_is_better=higher, target=target, warning=warning, critical=critical)
    status = kpi_status(
        value=Decimal(value),
        direction=Direction.HIGHER_IS_BETTER if higher else Direction.LOWER_IS_BETTER,
        target=None if target is None else Decimal(target),
        warning=None if warning is None else Decimal(warning),
        critical=None if critical is None else Decimal(critical),
    )
    colour = _band_colour(bands, float(value))
    if status == KpiStatus.NONE:
        assert bands == []
    elif colour is not None:
        assert colour == status


@pytest.mark.parametrize(
    ("values", "points"),
    [
        ([], ""),
        ([Decimal(5)], ""),
        ([0, 10], "0.0,26.0 120.0,2.0"),
        ([10, None, 10], "0.0,14.0 120.0,14.0"),
    ],
)
def test_sparkline_points_span_the_box(values, points):
    assert charts.sparkline_points(values, width=120, height=28) == points


LINK = '<a href="https://x">x</a>'
ESCAPED = '&lt;a href="https://x"&gt;x&lt;/a&gt;'


def test_people_text_reaches_plotly_escaped_so_it_never_becomes_a_live_link():
    figure = charts.progress_over_time(
        title=LINK,
        dates=DAYS,
        progress=[Decimal("0.1")] * 3,
        expected=[Decimal("0.1")] * 3,
        key_results=[(LINK, DAYS[:1], [Decimal("0.5")])],
    )
    key_result = figure["data"][-1]
    assert key_result["name"] == ESCAPED
    assert ESCAPED in key_result["hovertemplate"] and "<a " not in key_result["hovertemplate"]
    assert figure["layout"]["title"]["text"] == ESCAPED
    priorities = charts.priority_progress(
        title="Priorities", names=[LINK, "Fish & chips"], progress=[0.5, 0.2], expected=[0.4, 0.4]
    )
    assert priorities["data"][0]["y"] == [ESCAPED, "Fish &amp; chips"]
    kpi = charts.kpi_series(
        title=LINK,
        unit="<b>USD</b>",
        dates=DAYS[:1],
        values=[Decimal(1)],
        bands=[charts.Band(low=0, high=1, colour="green", label=LINK)],
    )
    assert kpi["layout"]["title"]["text"] == ESCAPED
    assert kpi["layout"]["yaxis"]["title"]["text"] == "Value (&lt;b&gt;USD&lt;/b&gt;)"
    assert kpi["layout"]["shapes"][0]["label"]["text"] == ESCAPED
    assert "<a " not in json.dumps([figure, priorities, kpi])


def test_team_names_of_the_quarter_scores_chart_are_escaped():
    from okrs.charts import quarter_scores

    figure = quarter_scores(
        title=LINK,
        teams=[LINK],
        committed=[Decimal("0.5")],
        aspirational=[None],
        committed_expected=Decimal("0.7"),
        aspirational_expected=Decimal("0.4"),
    )
    assert figure["layout"]["title"]["text"] == ESCAPED
    assert all(trace["x"] == [ESCAPED] for trace in figure["data"])
    assert "<a " not in json.dumps(figure)
