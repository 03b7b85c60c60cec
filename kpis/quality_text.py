"""Data-quality issues (kpis.quality) in the reader's language: what was found and what to do."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import numbers
from kpis.choices import QualityIssueKind


@dataclass(frozen=True)
class IssueText:
    kind: str
    label: str
    detail: str
    advice: str
    cost: int  # points of the score it costs


def _number(value: str | None) -> str:
    """A stored number in the reader's format: "142896.72" → "142,896.72" (en), "142.896,72" (es)."""
    return numbers.format_number(Decimal(value)) if value not in (None, "") else "–"


def _day(value: str | None) -> str:
    return formats.date_format(date.fromisoformat(value[:10]), "DATE_FORMAT") if value else ""


def _moment(value: str | None) -> str:
    return formats.date_format(datetime.fromisoformat(value), "SHORT_DATETIME_FORMAT") if value else ""


def _stale(issue: dict, count: int, periods: str) -> tuple[str, str]:
    if issue.get("since"):
        detail = _("Last measurement %(when)s; one was due in the period that started %(due)s.") % {
            "when": _moment(issue["since"]),
            "due": _day(issue["due"]),
        }
    else:
        detail = _("No measurement has arrived yet.")
    return detail, _("Check the integration or upload that feeds this KPI, then send the missing data.")


def _missing(issue: dict, count: int, periods: str) -> tuple[str, str]:
    detail = ngettext(
        "%(count)s period without a value: %(periods)s.",
        "%(count)s periods without a value: %(periods)s.",
        count,
    ) % {"count": count, "periods": periods}
    return detail, _("Send the measurements of those periods, or confirm that nothing happened in them.")


def _outlier_period(issue: dict, count: int, periods: str) -> tuple[str, str]:
    detail = ngettext(
        "%(count)s period far from the usual values (%(value)s against a median of %(median)s): %(periods)s.",
        "%(count)s periods far from the usual values (%(value)s against a median of %(median)s): "
        "%(periods)s.",
        count,
    ) % {
        "count": count,
        "value": _number(issue.get("value")),
        "median": _number(issue.get("median")),
        "periods": periods,
    }
    return detail, _("Check those periods' measurements at the source; correct them if they are wrong.")


def _outlier_measurement(issue: dict, count: int, periods: str) -> tuple[str, str]:
    detail = ngettext(
        "%(count)s measurement far from the usual values (%(value)s against a median of %(median)s) "
        "in the last month.",
        "%(count)s measurements far from the usual values (%(value)s against a median of %(median)s) "
        "in the last month.",
        count,
    ) % {"count": count, "value": _number(issue.get("value")), "median": _number(issue.get("median"))}
    return detail, _("Look at the latest measurements below and correct a mistyped value at its source.")


def _duplicates(issue: dict, count: int, periods: str) -> tuple[str, str]:
    detail = ngettext(
        "%(count)s measurement repeats another one (same instant and value), e.g. at %(when)s.",
        "%(count)s measurements repeat others (same instant and value), e.g. at %(when)s.",
        count,
    ) % {"count": count, "when": _moment(issue.get("example"))}
    return detail, _("Send measurements with an idempotency key so that a retry never counts twice.")


def _definition_changed(issue: dict, count: int, periods: str) -> tuple[str, str]:
    detail = _("The definition changed on %(when)s; earlier periods were measured under the old one.") % {
        "when": _day(issue.get("since"))
    }
    return detail, _("Compare periods on either side of that date with care, or note the change for readers.")


def _in_progress(issue: dict, count: int, periods: str) -> tuple[str, str]:
    detail = _("The current period (from %(period)s) has not ended: its value is partial.") % {
        "period": periods
    }
    return detail, _(
        "Nothing to do: compare it with the same span of the previous period, as the scorecard does."
    )


TEXTS = {
    QualityIssueKind.STALE: _stale,
    QualityIssueKind.MISSING_PERIODS: _missing,
    QualityIssueKind.OUTLIER_PERIOD: _outlier_period,
    QualityIssueKind.OUTLIER_MEASUREMENT: _outlier_measurement,
    QualityIssueKind.DUPLICATES: _duplicates,
    QualityIssueKind.DEFINITION_CHANGED: _definition_changed,
    QualityIssueKind.IN_PROGRESS: _in_progress,
}


def issue_text(issue: dict) -> IssueText:
    kind = issue["kind"]
    periods = ", ".join(_day(period) for period in issue.get("periods", [])[:5])
    detail, advice = TEXTS[kind](issue, issue.get("count", 1), periods)
    return IssueText(
        kind=kind,
        label=QualityIssueKind(kind).label,
        detail=detail,
        advice=advice,
        cost=round(float(issue.get("cost", 0)) * 100),
    )
