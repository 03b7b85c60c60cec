"""Writes of the diagnostic: saving a completed diagnostic, and adding what it recommends."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.exceptions import ApplicationError
from diagnostics import rules
from diagnostics.models import Diagnostic
from diagnostics.questions import AREAS_BY_KEY, QUESTIONS_BY_KEY
from kpis.services.catalog import kpis_from_catalog
from okrs import selectors as okr_selectors
from okrs.services.templates import objective_from_template


def answers_clean(answers) -> dict[str, str]:
    """The answers of a complete diagnostic, or an ApplicationError naming the first question left out."""
    if not isinstance(answers, dict):
        raise ApplicationError(
            _("Answers must be an object of question keys and answer keys."), field="answers"
        )
    unknown = sorted(set(answers) - set(QUESTIONS_BY_KEY))
    if unknown:
        message = _("Unknown questions: %(keys)s.") % {"keys": ", ".join(unknown)}
        raise ApplicationError(message, field="answers")
    answers = {key: str(value) for key, value in answers.items()}
    missing = rules.unanswered(answers)
    if missing:
        question = QUESTIONS_BY_KEY[missing[0]]
        message = _("Answer every question: “%(question)s” has no valid answer (0 to 4).") % {
            "question": question.text
        }
        raise ApplicationError(message, field=question.key)
    return answers


@transaction.atomic
def diagnostic_create(*, organization: Organization, author, answers: dict) -> Diagnostic:
    """Score and save a completed diagnostic of the organization."""
    answers = answers_clean(answers)
    scores = rules.scores_compute(answers)
    return Diagnostic.objects.create(
        organization=organization,
        author=author,
        answers=answers,
        area_scores=scores.areas,
        overall_score=scores.overall,
    )


def recommendation_add(*, organization: Organization, user, kind: str, key: str):
    """Add one recommended OKR template (to the current cycle) or catalog KPI; adding twice adds once."""
    if kind == "template":
        if not any(key in area.templates for area in AREAS_BY_KEY.values()):
            raise ApplicationError(_("This OKR template is not among the recommendations."), field="key")
        cycle = okr_selectors.cycle_current(organization=organization)
        if cycle is None:
            raise ApplicationError(_("There is no open cycle to add objectives to."), field="cycle")
        return objective_from_template(organization=organization, user=user, cycle=cycle, template_key=key)
    if kind == "kpi":
        if not any(key in area.kpis for area in AREAS_BY_KEY.values()):
            raise ApplicationError(_("This KPI is not among the recommendations."), field="key")
        return kpis_from_catalog(organization=organization, user=user, codes=[key])[0]
    raise ApplicationError(_("Choose a template or a KPI to add."), field="kind")
