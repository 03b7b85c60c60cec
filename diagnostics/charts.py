"""Plotly figures of the diagnostic as plain dicts (drawn by static/js/dashboards/charts.js). Pure."""

from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _

from dashboards.charts import FONT, SERIES_COLOURS, _layout


def maturity_radar(*, names: Sequence[str], scores: Sequence[int]) -> dict:
    """The maturity of each area (0–100) on a radar."""
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
                "hovertemplate": "%{theta}: %{r}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": _("Maturity by area (0–100)"), "x": 0, "xanchor": "left", "font": {"size": 16}},
            "polar": {"radialaxis": {"range": [0, 100], "tickvals": [0, 25, 50, 75, 100]}},
            "showlegend": False,
            "font": FONT,
            "margin": {"l": 90, "r": 90, "t": 60, "b": 40},
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
