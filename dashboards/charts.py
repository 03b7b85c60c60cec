"""Plotly figures as plain dicts: series in, figure out. Pure functions, no ORM and no plotly import.

Every figure has a title, axis titles and units; values arrive as Decimals or numbers and leave as
floats, because the template embeds the figure with json_script and plotly.js needs numbers.

plotly.js reads its strings (titles, names, tick labels, hover text) as a little HTML, links included:
every string that may hold people's text leaves through `_plain`, so it shows as typed and never as markup.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from django.utils.translation import gettext as _

Number = Decimal | float | int

COLOURS = {
    "actual": "#1f5fa8",
    "expected": "#6b7280",
    "target": "#2e7d32",
    "benchmark": "#7b1fa2",
    "green": "rgba(46, 125, 50, 0.12)",
    "amber": "rgba(178, 106, 0, 0.14)",
    "red": "rgba(198, 40, 40, 0.12)",
    "forecast": "#1f5fa8",
    "forecast_band": "rgba(31, 95, 168, 0.15)",
    "initiative": "rgba(230, 159, 0, 0.18)",
}
# A palette that stays distinguishable for the common forms of colour blindness (Okabe-Ito).
SERIES_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442"]
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


@dataclass(frozen=True)
class Band:
    """A horizontal band behind a series: a status range (for instance 'green' from 95 to 120)."""

    low: Number | None
    high: Number | None
    colour: str
    label: str


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _percent(values: Sequence[Number | None]) -> list[float | None]:
    return [None if v is None else round(float(v) * 100, 2) for v in values]


def _dates(values: Sequence[date]) -> list[str]:
    return [d.isoformat() for d in values]


def _layout(*, title: str, x_title: str, y_title: str, **extra) -> dict:
    layout = {
        "title": {"text": _plain(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        "xaxis": {"title": {"text": _plain(x_title)}, "automargin": True},
        "yaxis": {"title": {"text": _plain(y_title)}, "automargin": True, "zeroline": False},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 100},
        "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"},
        "font": FONT,
        "hovermode": "x unified",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


@dataclass(frozen=True)
class Projection:
    """Where a series is expected to be at a later date, with its 80 % interval."""

    start: date  # the last known point the dashed line starts from
    start_value: Number
    end: date
    value: Number
    low: Number
    high: Number


def _projection_traces(projection: Projection, *, percent: bool) -> list[dict]:
    """A dashed line from the last known point to the projected one, inside a band for the interval."""

    def scale(value):
        return _percent([value])[0] if percent else _float(value)

    x = _dates([projection.start, projection.end])
    suffix = " %" if percent else ""
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Forecast, low end"),
            "x": x,
            "y": [scale(projection.start_value), scale(projection.low)],
            "line": {"width": 0},
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("80 % interval"),
            "x": x,
            "y": [scale(projection.start_value), scale(projection.high)],
            "fill": "tonexty",
            "fillcolor": COLOURS["forecast_band"],
            "line": {"width": 0},
            "hovertemplate": "%{y:.4~g}" + suffix + "<extra>" + _plain(_("High end")) + "</extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("Forecast"),
            "x": x,
            "y": [scale(projection.start_value), scale(projection.value)],
            "line": {"color": COLOURS["forecast"], "width": 2, "dash": "dash"},
            "marker": {"symbol": "diamond-open", "size": 9},
            "hovertemplate": "%{y:.4~g}" + suffix + "<extra>" + _plain(_("Forecast")) + "</extra>",
        },
    ]


def _spans(spans: Sequence[tuple[date, date, str]]) -> list[dict]:
    """Marked date ranges (initiatives) across the whole height of a chart, each labelled."""
    return [
        {
            "type": "rect",
            "xref": "x",
            "x0": start.isoformat(),
            "x1": end.isoformat(),
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "fillcolor": COLOURS["initiative"],
            "line": {"width": 1, "color": "#b26a00", "dash": "dot"},
            "layer": "below",
            "label": {"text": _plain(_short(label, 30)), "textposition": "top center", "font": {"size": 11}},
        }
        for start, end, label in spans
    ]


def progress_over_time(
    *,
    title: str,
    dates: Sequence[date],
    progress: Sequence[Number],
    expected: Sequence[Number],
    key_results: Sequence[tuple[str, Sequence[date], Sequence[Number]]] = (),
    cycle: tuple[date, date] | None = None,
    projection: Projection | None = None,
) -> dict:
    """An objective's progress by day against the expected-progress line, with its key results and,
    when there is one, its forecast at the cycle's end (a dashed line in its 80 % band).

    Progress values are fractions (0.42); the chart shows percentages. Given the cycle's first and
    last days, the expected line runs across the whole cycle (0 % to 100 %) and so does the x axis.
    """
    expected_x, expected_y = _dates(dates), _percent(expected)
    if cycle is not None:
        expected_x, expected_y = _dates(cycle), [0.0, 100.0]
    objective = _line(
        _("Objective progress"),
        _dates(dates),
        _percent(progress),
        colour=COLOURS["actual"],
        width=3,
        mode="lines+markers",
    )
    expected_line = _line(
        _("Expected progress"), expected_x, expected_y, colour=COLOURS["expected"], dash="dash"
    )
    objective["hovertemplate"] = "%{y:.0f} %<extra>Objective</extra>"
    expected_line["hovertemplate"] = "%{y:.0f} %<extra>Expected</extra>"
    data = [objective, expected_line, *_key_result_lines(key_results)]
    if projection is not None:
        data.extend(_projection_traces(projection, percent=True))
    return {
        "data": data,
        "layout": _layout(
            title=title,
            x_title=_("Date"),
            y_title=_("Progress (%)"),
            yaxis={"range": [0, 105], "ticksuffix": " %"},
            xaxis={"type": "date", **({"range": _dates(cycle)} if cycle else {})},
        ),
    }


def _key_result_lines(key_results: Sequence[tuple[str, Sequence[date], Sequence[Number]]]) -> list[dict]:
    """One thin line per key result, in the colour-blind-safe palette."""
    lines = []
    for index, (name, kr_dates, kr_progress) in enumerate(key_results):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        line = _line(
            _plain(name),
            _dates(kr_dates),
            _percent(kr_progress),
            colour=colour,
            width=1.5,
            mode="lines+markers",
        )
        line["opacity"] = 0.8
        line["hovertemplate"] = "%{y:.0f} %<extra>" + _plain(_short(name)) + "</extra>"
        lines.append(line)
    return lines


def priority_progress(
    *, title: str, names: Sequence[str], progress: Sequence[Number], expected: Sequence[Number]
) -> dict:
    """Each priority's rolled-up progress as a bar, with its expected progress as a marker."""
    labels = [_plain(_short(name, 40)) for name in names]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": _("Progress"),
                "y": labels,
                "x": _percent(progress),
                "marker": {"color": COLOURS["actual"]},
                "hovertemplate": "%{x:.0f} %<extra>Progress</extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Expected by today"),
                "y": labels,
                "x": _percent(expected),
                "marker": {"symbol": "line-ns-open", "size": 22, "color": "#111827", "line": {"width": 3}},
                "hovertemplate": "%{x:.0f} %<extra>Expected</extra>",
            },
        ],
        "layout": _layout(
            title=title,
            x_title=_("Progress (%)"),
            y_title=_("Priority"),
            xaxis={"range": [0, 105], "ticksuffix": " %"},
            yaxis={"autorange": "reversed"},
            hovermode="closest",
            height=max(220, 70 + 44 * len(labels)),
            margin={"l": 20},
        ),
    }


def kpi_series(
    *,
    title: str,
    unit: str,
    dates: Sequence[date],
    values: Sequence[Number | None],
    targets: Sequence[Number | None] = (),
    benchmark: Number | None = None,
    bands: Sequence[Band] = (),
    projection: Projection | None = None,
    spans: Sequence[tuple[date, date, str]] = (),
) -> dict:
    """A KPI's values by period with its target line, status bands and benchmark line; its forecast as
    a dashed line in its 80 % band, and initiatives as marked spans.

    `unit` is the axis unit as shown to people ("%", "USD", "days").
    """
    x = _dates(dates)
    y_title = _("Value (%(unit)s)") % {"unit": unit} if unit else _("Value")
    data = [_line(_("Actual"), x, values, colour=COLOURS["actual"], width=3, mode="lines+markers")]
    data[0]["connectgaps"] = False
    if any(t is not None for t in targets):
        data.append(_line(_("Target"), x, targets, colour=COLOURS["target"], dash="dash", shape="hv"))
    if benchmark is not None and x:
        data.append(
            _line(_("Benchmark"), [x[0], x[-1]], [benchmark] * 2, colour=COLOURS["benchmark"], dash="dot")
        )
    if projection is not None:
        data.extend(_projection_traces(projection, percent=False))
    shapes = [_band_shape(band, values, targets) for band in bands] + _spans(spans)
    return {
        "data": data,
        "layout": _layout(
            title=title, x_title=_("Period"), y_title=y_title, shapes=shapes, xaxis={"type": "date"}
        ),
    }


def _line(name, x, y, *, colour: str, width: float = 2, mode: str = "lines", **line) -> dict:
    """A scatter trace of numbers (Decimals become floats, None stays a gap)."""
    return {
        "type": "scatter",
        "mode": mode,
        "name": name,
        "x": list(x),
        "y": [_float(value) for value in y],
        "line": {"color": colour, "width": width, **line},
    }


def _band_shape(band: Band, values, targets) -> dict:
    """A status band behind the series, across the chart's width; open ends reach past the data."""
    return {
        "type": "rect",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": _float(band.low) if band.low is not None else _band_edge(values, targets, low=True),
        "y1": _float(band.high) if band.high is not None else _band_edge(values, targets, low=False),
        "fillcolor": COLOURS.get(band.colour, band.colour),
        "line": {"width": 0},
        "layer": "below",
        "label": {"text": _plain(band.label), "textposition": "top left", "font": {"size": 11}},
    }


def kpi_bands(
    *, higher_is_better: bool, target: Number | None, warning: Number | None, critical: Number | None
) -> list[Band]:
    """The green, amber and red ranges a KPI's status follows (see kpis.rules.kpi_status).

    Green from the warning threshold (else the target) in the good direction, red beyond the
    critical threshold in the bad one, amber in between; open ends are None.
    """
    good = warning if warning is not None else target
    if good is None and critical is None:
        return []
    green, amber, red = _("Green"), _("Amber"), _("Red")
    bands = []
    if good is not None:
        bands.append(
            Band(good, None, "green", green) if higher_is_better else Band(None, good, "green", green)
        )
    if critical is not None:
        bands.append(
            Band(None, critical, "red", red) if higher_is_better else Band(critical, None, "red", red)
        )
    if good is not None and critical is not None:
        low, high = sorted([float(good), float(critical)])
        bands.append(Band(low, high, "amber", amber))
    elif good is not None:
        bands.append(
            Band(None, good, "amber", amber) if higher_is_better else Band(good, None, "amber", amber)
        )
    else:
        bands.append(
            Band(critical, None, "green", green) if higher_is_better else Band(None, critical, "green", green)
        )
    return bands


def _band_edge(values, targets, *, low: bool) -> float:
    """An open band ends a little past the data, so that it fills the visible chart."""
    numbers = [float(v) for v in [*values, *targets] if v is not None] or [0.0]
    spread = (max(numbers) - min(numbers)) or abs(max(numbers)) or 1.0
    return min(numbers) - spread if low else max(numbers) + spread


def sparkline_points(values: Sequence[Number | None], *, width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a small trend line; empty when there are fewer than two values.

    Sparklines on the scorecard are inline SVG rather than plotly figures: two hundred plotly
    charts on one page would take seconds to draw.
    """
    numbers = [float(v) for v in values if v is not None]
    if len(numbers) < 2:
        return ""
    low, high = min(numbers), max(numbers)
    step = width / (len(numbers) - 1)
    pad = 2

    def y(value: float) -> float:
        share = 0.5 if high == low else (value - low) / (high - low)  # a flat series runs mid-height
        return pad + (height - 2 * pad) * (1 - share)

    return " ".join(f"{i * step:.1f},{y(v):.1f}" for i, v in enumerate(numbers))


def _short(text: str, length: int = 48) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _plain(text: str) -> str:
    """Text that plotly.js shows as typed: its markup (<a href>, <b>, <br>…) escaped, entities too."""
    return escape(str(text), quote=False)
