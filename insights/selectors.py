"""Reads of initiatives, business reviews and data quality, scoped to one organization."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from accounts.models import Organization
from insights.models import ActionItem, BusinessReview, Initiative, InitiativeImpact
from kpis.models import Kpi, KpiRun
from kpis.quality_text import issue_text
from kpis.services.insights import DATA_QUALITY_CODE
from okrs.choices import CycleState
from okrs.models import KeyResult


def initiative_list(*, organization: Organization | None) -> QuerySet[Initiative]:
    return (
        Initiative.objects.filter(organization=organization)
        .select_related("owner", "team")
        .prefetch_related("kpis", "key_results__objective")
    )


def impact_list(*, initiative: Initiative) -> list[InitiativeImpact]:
    return list(initiative.impacts.select_related("kpi").order_by("kpi__name"))


def review_list(*, organization: Organization | None) -> QuerySet[BusinessReview]:
    return BusinessReview.objects.filter(organization=organization).select_related("team", "created_by")


def review_action_items(*, review: BusinessReview) -> list[ActionItem]:
    """The review's own action items, and the ones still open from earlier reviews of the same scope
    (they carry over until done), oldest first (one query)."""
    earlier_open = Q(
        review__organization=review.organization,
        review__team=review.team,
        review__created_at__lt=review.created_at,
        done_at__isnull=True,
    )
    items = ActionItem.objects.filter(Q(review=review) | earlier_open)
    return list(
        items.select_related("owner", "key_result__objective", "kpi", "review").order_by("due_date", "pk")
    )


def open_key_results(*, organization: Organization) -> QuerySet[KeyResult]:
    """Key results of cycles not closed, for linking (one query with their objectives)."""
    return (
        KeyResult.objects.filter(objective__cycle__organization=organization)
        .exclude(objective__cycle__state=CycleState.CLOSED)
        .select_related("objective")
        .order_by("objective__title", "title")
    )


@dataclass
class QualityRow:
    kpi: Kpi
    issues: list


@dataclass
class DataQuality:
    score: Decimal | None
    checked_at: object
    rows: list[QualityRow]
    kpi_count: int
    issue_count: int


def data_quality(*, organization: Organization) -> DataQuality:
    """Every active KPI's data quality, worst first, with its issues in words (two queries)."""
    kpis = list(
        Kpi.objects.for_organization(organization)
        .active()
        .exclude(code=DATA_QUALITY_CODE)
        .select_related("owner", "team")
        .order_by("quality_score", "name")
    )
    kpis.sort(key=lambda kpi: (kpi.quality_score is None, kpi.quality_score or 0, kpi.name))
    rows = [QualityRow(kpi, [issue_text(issue) for issue in kpi.quality_issues]) for kpi in kpis]
    run = (
        KpiRun.objects.for_organization(organization)
        .succeeded()
        .filter(quality_score__isnull=False)
        .order_by("-pk")
        .first()
    )
    return DataQuality(
        score=run.quality_score if run else None,
        checked_at=run.finished_at if run else None,
        rows=rows,
        kpi_count=len(kpis),
        issue_count=sum(1 for row in rows for issue in row.issues if issue.cost),
    )
