"""Reads of the diagnostic, shaped for pages and the API (one query each)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Organization
from diagnostics import rules
from diagnostics.models import Diagnostic
from diagnostics.questions import AREAS, AREAS_BY_KEY, QUESTIONS
from kpis.catalog import BY_CODE
from okrs import okr_templates


def diagnostic_list(*, organization: Organization) -> QuerySet[Diagnostic]:
    """The organization's diagnostics, newest first, with their authors."""
    return Diagnostic.objects.filter(organization=organization).select_related("author")


@dataclass(frozen=True)
class Recommendation:
    area: object  # questions.Area
    score: int
    templates: list  # okr_templates.ObjectiveTemplate
    kpis: list  # kpis.catalog.CatalogKpi


def recommendations(scores: rules.Scores) -> list[Recommendation]:
    """For each of the weakest areas, weakest first: the OKR templates and catalog KPIs that address it."""
    return [
        Recommendation(
            area=AREAS_BY_KEY[key],
            score=scores.areas[key],
            templates=[okr_templates.BY_KEY[t] for t in AREAS_BY_KEY[key].templates],
            kpis=[BY_CODE[code] for code in AREAS_BY_KEY[key].kpis],
        )
        for key in scores.weakest
    ]


def scores_of(diagnostic: Diagnostic) -> rules.Scores:
    """The diagnostic's scores, computed once per object however many fields ask for them."""
    if not hasattr(diagnostic, "_scores"):
        diagnostic._scores = rules.scores_compute(diagnostic.answers)
    return diagnostic._scores


def area_rows(scores: rules.Scores) -> list[dict]:
    """Each area with its name and score, in the order of the questionnaire."""
    return [
        {"area": area, "score": scores.areas[area.key], "weak": area.key in scores.weakest} for area in AREAS
    ]


def questionnaire() -> list[dict]:
    """The questions grouped by area, in order."""
    return [{"area": area, "questions": [q for q in QUESTIONS if q.area == area.key]} for area in AREAS]
