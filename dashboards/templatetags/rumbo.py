"""Presentation helpers for the pages. They format what the context holds and never query.

Simple tags rather than included partials: the alignment tree draws thousands of badges and bars,
and a tag is an order of magnitude cheaper than an include.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common import numbers
from common.people import person_name
from kpis.choices import Direction, KpiStatus
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


# Data-quality badges: good from 90 %, fair from 70 %, poor below.
QUALITY_GOOD = Decimal("0.9")
QUALITY_FAIR = Decimal("0.7")


@register.simple_tag
def okr_status(item) -> str:
    """A key result's or objective's status badge, marked while one of its guardrails is breached: it
    never reads on track or achieved without that mark."""
    badge = status_badge(item.status)
    if not getattr(item, "guardrail_breached", False):
        return badge
    return format_html(
        '{} <span class="guardrail-breach" data-role="guardrail-breach">'
        '<span aria-hidden="true">⚠</span> {}</span>',
        badge,
        _("Guardrail breached"),
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


@register.simple_tag
def quality_badge(score) -> str:
    """A KPI's data-quality score as a badge with a symbol and words: "✓ Data 100 %", "! Data 70 %"."""
    if score in (None, ""):
        return format_html('<span class="quality quality-none">{}</span>', _("Data not checked yet"))
    score = Decimal(score)
    level, symbol = (
        ("good", "✓") if score >= QUALITY_GOOD else ("fair", "!") if score >= QUALITY_FAIR else ("poor", "✕")
    )
    return format_html(
        '<span class="quality quality-{}" data-role="quality"><span aria-hidden="true">{}</span> {}</span>',
        level,
        symbol,
        _("Data quality %(score)s") % {"score": percent(score)},
    )


@register.filter
def isodate(text):
    """An ISO date string stored in JSON ("2026-11-01") as a date, for the date filter."""
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


@register.filter
def input_change(item) -> Decimal | None:
    """A formula input's relative change from {"before", "after"}; None from 0."""
    try:
        before, after = Decimal(item["before"]), Decimal(item["after"])
    except (KeyError, InvalidOperation, TypeError):
        return None
    return (after - before) / abs(before) if before else None


@register.simple_tag(takes_context=True)
def signed_quantity(context, value, unit: str = "") -> str:
    """A change with its sign and unit: "+0.8 %", "−4.1 %"."""
    if value in (None, ""):
        return "–"
    number = Decimal(value)
    sign = "+" if number > 0 else "−" if number < 0 else ""
    return sign + quantity(context, abs(number), unit)


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: for dicts keyed by strings a template cannot spell ("7")."""
    return (mapping or {}).get(key)


@register.filter
def signed_percent(fraction) -> str:
    """A relative change with its sign: 0.1234 → "+12.3 %", -0.05 → "−5 %"; "–" without one."""
    if fraction in (None, ""):
        return "–"
    number = Decimal(fraction) * 100
    sign = "+" if number > 0 else "−" if number < 0 else ""
    return sign + numbers.format_percent(abs(number).quantize(Decimal("0.1")))


@register.filter
def plain_percent(fraction) -> str:
    """A fraction as a percentage with one decimal, no sign: 0.041 → "4.1 %"."""
    if fraction in (None, ""):
        return "–"
    return numbers.format_percent(abs(Decimal(fraction) * 100).quantize(Decimal("0.1")))


@register.filter
def points(fraction) -> str:
    """A change of progress in percentage points with its sign: 0.12 → "+12 pts"."""
    if fraction in (None, ""):
        return "–"
    number = (Decimal(fraction) * 100).quantize(Decimal("0.1"))
    sign = "+" if number > 0 else "−" if number < 0 else ""
    return _("%(sign)s%(points)s pts") % {"sign": sign, "points": numbers.format_number(abs(number))}


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
    better = (change > 0) == (kpi.direction == Direction.HIGHER_IS_BETTER)
    sign = "+" if change > 0 else "−"
    return format_html(
        '<span class="change {}">{} {}{} <small>({})</small></span>',
        "change-better" if better else "change-worse",
        "▲" if change > 0 else "▼",
        sign,
        quantity(context, abs(change), kpi.unit),
        _("better") if better else _("worse"),
    )
