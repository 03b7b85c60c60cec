"""Scoring the diagnostic. Pure functions: answers in, scores out.

- An answer scores 0 to 4 (questions.OPTIONS). An area's maturity is the sum of its answers' scores
  over the most they could score (4 per question), as a percentage rounded half up to a whole number.
- The overall maturity is the same ratio over all 25 answers (not the mean of the area scores).
- The weakest areas are the three lowest; ties go to the area listed first in questions.AREAS.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from diagnostics.questions import AREAS, MAX_SCORE, OPTIONS_BY_KEY, QUESTIONS

WEAKEST_COUNT = 3


@dataclass(frozen=True)
class Scores:
    areas: dict[str, int]  # area key -> 0..100, in the order of questions.AREAS
    overall: int
    weakest: list[str]  # area keys, weakest first


def percentage(points: int, most: int) -> int:
    return int((Decimal(100 * points) / Decimal(most)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def unanswered(answers: dict[str, str]) -> list[str]:
    """The keys of the questions without a valid answer, in the order they are asked."""
    return [q.key for q in QUESTIONS if answers.get(q.key) not in OPTIONS_BY_KEY]


def scores_compute(answers: dict[str, str]) -> Scores:
    """Scores of a complete set of answers ({question key: option key})."""
    points = {area.key: 0 for area in AREAS}
    counts = {area.key: 0 for area in AREAS}
    for question in QUESTIONS:
        points[question.area] += OPTIONS_BY_KEY[answers[question.key]].score
        counts[question.area] += 1
    areas = {key: percentage(points[key], counts[key] * MAX_SCORE) for key in points}
    overall = percentage(sum(points.values()), len(QUESTIONS) * MAX_SCORE)
    order = [area.key for area in AREAS]
    weakest = sorted(order, key=lambda key: (areas[key], order.index(key)))[:WEAKEST_COUNT]
    return Scores(areas=areas, overall=overall, weakest=weakest)
