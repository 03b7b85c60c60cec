"""Plotly figures of the OKR domain as plain dicts: series in, figure out. Pure, no ORM, no plotly import.

The template embeds a figure with json_script and static/js/dashboards/charts.js draws it, as for the
dashboards' figures; values leave as floats because plotly.js needs numbers.
"""

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.translation import gettext as _

from common import numbers

Number = Decimal | float | int

# Okabe-Ito colours for the two types, distinguishable with the common forms of colour blindness; the
# score colours appear only as faint bands behind the bars, named in the legend and the table below.
TYPE_COLOURS = {"committed": "#0072b2", "aspirational": "#e69f00"}
BANDS = [
    (0.0, 0.4, "rgba(198, 40, 40, 0.08)"),
    (0.4, 0.7, "rgba(178, 106, 0, 0.10)"),
    (0.7, 1.0, "rgba(46, 125, 50, 0.08)"),
]
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _plain(text: str) -> str:
    """Text that plotly.js shows as typed: plotly reads strings as a little HTML (links included)."""
    return escape(str(text), quote=False)


def _score_bars(key: str, label: str, names: list[str], means: Sequence[Number | None]) -> dict:
    return {
        "type": "bar",
        "name": _("%(label)s: mean score") % {"label": label},
        "x": names,
        "y": [_float(value) for value in means],
        "marker": {"color": TYPE_COLOURS[key]},
        "text": [None if v is None else numbers.format_number(v, places=2) for v in means],
        "textposition": "outside",
        "hovertemplate": "%{y:.2f}<extra>" + label + "</extra>",
    }


def _expected_line(key: str, label: str, names: list[str], expected: Number) -> dict:
    score = numbers.format_number(expected, places=1)
    return {
        "type": "scatter",
        "mode": "lines",
        "name": _("%(label)s: expected %(score)s") % {"label": label, "score": score},
        "x": names,
        "y": [_float(expected)] * len(names),
        "line": {"color": TYPE_COLOURS[key], "width": 2, "dash": "dash"},
        "hovertemplate": score + "<extra>" + escape(_("%(label)s expected") % {"label": label}) + "</extra>",
    }


def quarter_scores(
    *,
    title: str,
    teams: Sequence[str],
    committed: Sequence[Number | None],
    aspirational: Sequence[Number | None],
    committed_expected: Number,
    aspirational_expected: Number,
) -> dict:
    """Each team's mean objective score, committed and aspirational side by side, with their expectations.

    Scores are 0.0-1.0; a team without objectives of a type has None there (no bar). The
    expectations are drawn as dashed lines in the colour of their type, over red, yellow and green
    bands (below 0.4, below 0.7, from 0.7).
    """
    names = [_plain(name) for name in teams]
    data = []
    for key, label, means, expected in (
        ("committed", _("Committed"), committed, committed_expected),
        ("aspirational", _("Aspirational"), aspirational, aspirational_expected),
    ):
        data += [_score_bars(key, label, names, means), _expected_line(key, label, names, expected)]
    shapes = [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": low,
            "y1": high,
            "fillcolor": colour,
            "line": {"width": 0},
            "layer": "below",
        }
        for low, high, colour in BANDS
    ]
    return {
        "data": data,
        "layout": {
            "title": {"text": _plain(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
            "barmode": "group",
            "xaxis": {"title": {"text": _("Team")}, "automargin": True, "type": "category"},
            "yaxis": {"title": {"text": _("Mean score (0.0–1.0)")}, "range": [0, 1.1], "dtick": 0.1},
            "shapes": shapes,
            "margin": {"l": 60, "r": 20, "t": 50, "b": 100},
            "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"},
            "font": FONT,
            "hovermode": "closest",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }
