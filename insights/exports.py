"""A review's stored agenda made readable (labels in the reader's language) and tabular (CSV, XLSX)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from common.people import person_name
from kpis.choices import GuardrailComparison, KpiStatus, QualityIssueKind
from okrs.choices import Status


@dataclass
class AgendaView:
    kpi_changes: list[dict]
    key_results: list[dict]
    movers: list[dict]
    improving: list[dict]
    worsening: list[dict]
    guardrails: list[dict]
    quality: list[dict]
    comments: list[dict]

    @property
    def empty(self) -> bool:
        return not any(
            [self.kpi_changes, self.key_results, self.movers, self.improving, self.worsening, self.guardrails,
             self.quality, self.comments]
        )  # fmt: skip


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def agenda_view(agenda: dict) -> AgendaView:
    """The agenda with status, comparison and issue names in words, and numbers as Decimals."""
    agenda = agenda or {}
    kpi_changes = [
        {**row, "from_label": _label(KpiStatus, row["from"]), "to_label": _label(KpiStatus, row["to"])}
        for row in agenda.get("kpi_changes", [])
    ]
    key_results = [
        {
            **row,
            "status_label": _label(Status, row["status"]),
            "last_check_in": datetime.fromisoformat(row["last_check_in_at"])
            if row.get("last_check_in_at")
            else None,
        }
        for row in agenda.get("key_results", [])
    ]
    movers = [{**row, "change": Decimal(row["change"])} for row in agenda.get("movers", [])]
    trends = agenda.get("trends", {})
    guardrails = [
        {**row, "comparison_label": _label(GuardrailComparison, row["comparison"])}
        for row in agenda.get("guardrails", [])
    ]
    quality = [
        {
            **row,
            "score": Decimal(row["score"]),
            "issue_labels": [_label(QualityIssueKind, kind) for kind in row["issues"]],
        }
        for row in agenda.get("quality", [])
    ]
    comments = [
        {**row, "created": datetime.fromisoformat(row["created_at"])} for row in agenda.get("comments", [])
    ]
    return AgendaView(
        kpi_changes=kpi_changes,
        key_results=key_results,
        movers=movers,
        improving=[{**row, "trend": Decimal(row["trend"])} for row in trends.get("improving", [])],
        worsening=[{**row, "trend": Decimal(row["trend"])} for row in trends.get("worsening", [])],
        guardrails=guardrails,
        quality=quality,
        comments=comments,
    )


def review_sheets(review, items) -> list[tuple[str, list[str], list[list]]]:
    """The review as sheets of (title, header, rows): one per agenda section, then the action items."""
    agenda = agenda_view(review.agenda)
    return [_summary_sheet(review), *_agenda_sheets(agenda), _items_sheet(items)]


def _summary_sheet(review) -> tuple:
    scope = review.team.name if review.team else _("Organization")
    header = [_("Date"), _("Scope"), _("Cadence"), _("State"), _("Notes"), _("Decisions")]
    row = [review.held_on, scope, review.get_cadence_display(), review.get_state_display()]
    return (_("Review"), header, [[*row, review.notes, review.decisions]])


def _agenda_sheets(agenda: AgendaView) -> list[tuple]:
    def number(text):
        return Decimal(text) if text is not None else None

    return [
        (
            _("KPI status changes"),
            [_("KPI"), _("From"), _("To")],
            [[row["name"], row["from_label"], row["to_label"]] for row in agenda.kpi_changes],
        ),
        (
            _("Key results to discuss"),
            [_("Key result"), _("Objective"), _("Status"), _("No recent check-in"), _("Last check-in")],
            [
                [
                    row["title"],
                    row["objective"],
                    row["status_label"],
                    row["no_recent_check_in"],
                    row["last_check_in"],
                ]
                for row in agenda.key_results
            ],
        ),
        (
            _("Biggest movers"),
            [_("Key result"), _("Objective"), _("Change of progress")],
            [[row["title"], row["objective"], row["change"]] for row in agenda.movers],
        ),
        (
            _("KPI trends"),
            [_("KPI"), _("Change")],
            [[row["name"], row["trend"]] for row in [*agenda.improving, *agenda.worsening]],
        ),
        (
            _("Guardrails breached"),
            [_("Key result"), _("KPI"), _("Must stay"), _("Limit"), _("Latest value")],
            [
                [
                    row["key_result"],
                    row["kpi"],
                    row["comparison_label"],
                    number(row["limit"]),
                    number(row["value"]),
                ]
                for row in agenda.guardrails
            ],
        ),
        (
            _("Data quality"),
            [_("KPI"), _("Score"), _("Issues")],
            [[row["name"], row["score"], ", ".join(row["issue_labels"])] for row in agenda.quality],
        ),
        (
            _("New comments"),
            [_("Time"), _("Author"), _("Comment")],
            [[row["created"], row["author"], row["body"]] for row in agenda.comments],
        ),
    ]


def _items_sheet(items) -> tuple:
    header = [_("Action"), _("Owner"), _("Due"), _("Key result"), _("KPI"), _("Done")]
    rows = [
        [
            item.title,
            person_name(item.owner),
            item.due_date,
            item.key_result.title if item.key_result else "",
            item.kpi.name if item.kpi else "",
            item.done_at,
        ]
        for item in items
    ]
    return (_("Action items"), header, rows)
