"""Reads for the CSV exports: every row already shaped, so a download runs a fixed number of queries."""

from accounts.models import Organization
from common.people import person_name
from dashboards import selectors as dashboard_selectors
from okrs.models import CheckIn, Objective

KPI_HEADER = [
    "Family", "Code", "KPI", "Cadence", "Unit", "Owner", "Team",
    "Period start", "Latest", "Target", "Status", "Previous", "Change",
    "Forecast period", "Forecast", "Forecast low", "Forecast high", "Chance of target", "Data quality",
]  # fmt: skip
CHECK_IN_HEADER = [
    "Checked in at", "Cycle", "Objective", "Key result", "Previous value", "Value", "Unit",
    "Confidence", "Author", "Source", "Note",
]  # fmt: skip


def kpi_scorecard_rows(*, organization: Organization) -> list[list]:
    """The scorecard's figures, one row per active KPI, in the page's order."""
    rows = []
    for group in dashboard_selectors.kpi_scorecard(organization=organization):
        for kpi in group.kpis:
            latest = kpi.latest
            rows.append([
                group.label, kpi.code, kpi.name, kpi.get_cadence_display(), kpi.get_unit_display(),
                person_name(kpi.owner), kpi.team.name if kpi.team else "",
                latest.period_start if latest else None, latest.value if latest else None, kpi.target,
                latest.get_status_display() if latest else "", latest.previous_value if latest else None,
                latest.change if latest else None,
                kpi.forecast_period_start, kpi.forecast_value, kpi.forecast_low, kpi.forecast_high,
                kpi.forecast_probability, kpi.quality_score,
            ])  # fmt: skip
    return rows


def check_in_rows(*, organization: Organization, objective: Objective | None = None):
    """Check-ins of the organization (or of one objective), newest first, read in chunks."""
    check_ins = (
        CheckIn.objects.for_organization(organization)
        .filter(**({"key_result__objective": objective} if objective else {}))
        .select_related("author", "key_result__objective__cycle")
        .order_by("-checked_in_at", "-pk")
    )
    for check_in in check_ins.iterator(chunk_size=2000):
        key_result = check_in.key_result
        yield [
            check_in.checked_in_at.isoformat(), key_result.objective.cycle.name, key_result.objective.title,
            key_result.title, check_in.previous_value, check_in.value, key_result.get_unit_display(),
            check_in.confidence, person_name(check_in.author), check_in.get_source_display(), check_in.note,
        ]  # fmt: skip
