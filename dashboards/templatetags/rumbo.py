"""Presentation helpers for the pages. They format what the context holds and never query.

Simple tags rather than included partials: the alignment tree draws thousands of badges and bars,
and a tag is an order of magnitude cheaper than an include.
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common import numbers
from common.people import person_name
from kpis.choices import KpiStatus
from okrs.choices import Status

register = template.Library()

# Status is never shown by colour alone: each one has a symbol and its name.
STATUS_SYMBOLS = {
    "on_track": "✓",
    "achieved": "★",
    "at_risk": "!",
    "off_track": "✕",
    "stale": "…",
    "not_started": "○",
    "green": "✓",
    "amber": "!",
    "yellow": "!",
    "red": "✕",
    "none": "–",
    "no_data": "–",
}
UNIT_SUFFIX = {"percent": " %", "days": " d"}


@lru_cache(maxsize=8)
def _status_labels(language: str) -> dict[str, str]:
    """OKR and KPI status names in one language; get_status_display() per row costs far more."""
    return {value: str(label) for value, label in [*Status.choices, *KpiStatus.choices]}


@register.simple_tag
def status_badge(status: str, label: str = "") -> str:
    """A status as a coloured pill with a symbol and its name, e.g. "! At risk"."""
    symbol = STATUS_SYMBOLS.get(status, "•")
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        status or "none",
        symbol,
        label or _status_labels(get_language() or "en").get(status, status),
    )


@register.filter
def percent(fraction) -> str:
    """0.4213 → "42 %"."""
    return numbers.format_fraction(fraction)


@register.simple_tag
def progress_bar(progress, expected=None) -> str:
    """A progress bar with the expected-progress mark, and the figures as text for every reader."""
    value = _clamp_percent(progress)
    if expected is None:
        return format_html(
            '<span class="bar" role="img" aria-label="{} {} %">'
            '<span class="bar-fill" style="width:{}%"></span></span> <span class="bar-text">{} %</span>',
            _("Progress"),
            value,
            value,
            value,
        )
    mark = _clamp_percent(expected)
    return format_html(
        '<span class="bar" role="img" aria-label="{} {} %, {} {} %">'
        '<span class="bar-fill" style="width:{}%"></span><span class="bar-expected" style="left:{}%"></span>'
        '</span> <span class="bar-text">{} % <small class="muted">/ {} {} %</small></span>',
        _("Progress"),
        value,
        _("expected"),
        mark,
        value,
        mark,
        value,
        _("expected"),
        mark,
    )


@register.simple_tag(takes_context=True)
def quantity(context, value, unit: str = "") -> str:
    """A key result or KPI value with its unit in the reader's language: "23.5 %", "1,200,000 USD", "52 d";
    in Spanish "23,5 %", "1.200.000 USD", "1.234,5 €"."""
    if value in (None, ""):
        return "–"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if unit == "currency":
        organization = context.get("organization")
        return numbers.format_currency(number, getattr(organization, "currency", ""))
    return numbers.format_number(number) + UNIT_SUFFIX.get(unit, "")


@register.filter
def weight_label(key_result) -> str:
    """A key result's weight and its share of the objective: "weight 3 (60 %)".

    The share (`weight_share`) comes from dashboards.selectors.with_weight_shares; without it, the weight.
    """
    weight = _plain(Decimal(key_result.weight))
    share = getattr(key_result, "weight_share", None)
    if share is None:
        return _("weight %(weight)s") % {"weight": weight}
    return _("weight %(weight)s (%(share)s)") % {"weight": weight, "share": percent(share)}


@register.filter
def person(user) -> str:
    return person_name(user, missing="–")


def _plain(number: Decimal) -> str:
    """Up to two decimals, none when the number is whole: 20.0000 → "20", 3.5 → "3.5" ("3,5" in Spanish)."""
    return numbers.format_number(number)


def _clamp_percent(fraction) -> int:
    if fraction in (None, ""):
        return 0
    return max(0, min(100, round(Decimal(fraction) * 100)))


@register.simple_tag(takes_context=True)
def kpi_change(context, kpi_value, kpi) -> str:
    """Change on the previous period with an arrow, its sign and whether that is better or worse."""
    if kpi_value is None or kpi_value.change is None:
        return format_html('<span class="change change-none">{}</span>', _("no previous period"))
    change = Decimal(kpi_value.change)
    if change == 0:
        return format_html('<span class="change change-flat">■ {}</span>', _("unchanged"))
    better = (change > 0) == (kpi.direction == "higher")
    sign = "+" if change > 0 else "−"
    return format_html(
        '<span class="change {}">{} {}{} <small>({})</small></span>',
        "change-better" if better else "change-worse",
        "▲" if change > 0 else "▼",
        sign,
        quantity(context, abs(change), kpi.unit),
        _("better") if better else _("worse"),
    )
