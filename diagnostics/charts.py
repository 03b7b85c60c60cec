"""Plotly figures of the diagnostic as plain dicts (drawn by static/js/dashboards/charts.js). Pure."""

from collections.abc import Sequence
from datetime import date
from html import escape

from django.utils.translation import gettext as _

from dashboards.charts import FONT, SERIES_COLOURS, _layout


def _wrapped(name: str, width: int = 22) -> str:
    """A long area name on two or more lines, so the radar's labels stay inside the chart."""
    lines, line = [], ""
    for word in escape(name).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def maturity_radar(*, names: Sequence[str], scores: Sequence[int]) -> dict:
    """The maturity of each area (0–100) on a radar."""
    names = [_wrapped(name) for name in names]
    closed_names = [*names, names[0]]
    closed_scores = [*scores, scores[0]]
    return {
        "data": [
            {
                "type": "scatterpolar",
                "r": closed_scores,
                "theta": closed_names,
                "fill": "toself",
                "name": _("Maturity"),
                "line": {"color": SERIES_COLOURS[0]},
                "hovertemplate": "%{r} / 100<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": _("Maturity by area (0–100)"), "x": 0, "xanchor": "left", "font": {"size": 16}},
            "polar": {"radialaxis": {"range": [0, 100], "tickvals": [0, 25, 50, 75, 100]}},
            "showlegend": False,
            "font": FONT,
            "margin": {"l": 110, "r": 110, "t": 70, "b": 50},
            "paper_bgcolor": "rgba(0,0,0,0)",
        },
    }


def maturity_trend(*, dates: Sequence[date], series: dict[str, Sequence[int]]) -> dict:
    """Each area's maturity across the organization's diagnostics, oldest first."""
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [d.isoformat() for d in dates],
                "y": list(values),
                "name": name,
                "line": {"color": SERIES_COLOURS[index % len(SERIES_COLOURS)]},
            }
            for index, (name, values) in enumerate(series.items())
        ],
        "layout": _layout(
            title=_("Maturity by area over time"),
            x_title=_("Diagnostic"),
            y_title=_("Maturity (0–100)"),
            yaxis={"range": [0, 100]},
        ),
    }
