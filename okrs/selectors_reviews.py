"""Reads of stakeholder review: who reviews an objective, where each reviewer stands, every decision.

An approval counts only for the version it judged: when the title, the so-what or a key result's title,
kind, unit, start or target changed after a reviewer approved, that reviewer stands at "approved an
earlier version" and is waited for again.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Membership, Organization
from okrs.choices import ReviewDecisionKind, ReviewOutcome, ReviewStanding
from okrs.models import Objective, ObjectiveReviewer, ReviewDecision, ReviewRequest


def _number(value: Decimal) -> str:
    """A decimal written the same whatever its stored scale: 100.0000 and 100 are both "100"."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def version_snapshot(objective: Objective, key_results) -> dict:
    """The version of an objective a reviewer judges: its title, so-what and key results (pure)."""
    ordered = sorted(key_results, key=lambda kr: (kr.position, kr.pk))
    return {
        "title": objective.title,
        "so_what": objective.so_what,
        "key_results": [
            {
                "id": kr.pk,
                "title": kr.title,
                "kind": kr.kind,
                "unit": kr.unit,
                "start_value": _number(kr.start_value),
                "target_value": _number(kr.target_value),
            }
            for kr in ordered
        ],
    }


@dataclass
class ReviewerRow:
    """One reviewer of an objective and where they stand in the open round."""

    reviewer: ObjectiveReviewer
    standing: str
    decision: ReviewDecision | None = None

    @property
    def user(self):
        return self.reviewer.user

    @property
    def required(self) -> bool:
        return self.reviewer.required

    def get_standing_display(self) -> str:
        return ReviewStanding(self.standing).label


@dataclass
class ReviewSummary:
    """An objective's review as pages and the API show it, and as the services judge it."""

    objective: Objective
    review_required: bool
    request: ReviewRequest | None
    reviewers: list[ReviewerRow]
    decisions: list[ReviewDecision] = field(default_factory=list)

    @property
    def waiting_for(self) -> list[ReviewerRow]:
        """Required reviewers, still members, whose approval of this version is missing."""
        return [
            row
            for row in self.reviewers
            if row.required and row.standing not in (ReviewStanding.APPROVED, ReviewStanding.INACTIVE)
        ]

    @property
    def required_count(self) -> int:
        return sum(row.required and row.standing != ReviewStanding.INACTIVE for row in self.reviewers)

    @property
    def complete(self) -> bool:
        """Every required reviewer who is still a member approved this version (and there is one)."""
        return self.required_count > 0 and not self.waiting_for


def reviewer_standing(*, active: bool, decision: ReviewDecision | None, current: dict) -> str:
    """Where a reviewer stands given their latest decision of the open round (pure)."""
    if not active:
        return ReviewStanding.INACTIVE
    if decision is None:
        return ReviewStanding.PENDING
    if decision.decision == ReviewDecisionKind.REQUEST_CHANGES:
        return ReviewStanding.CHANGES_REQUESTED
    return ReviewStanding.APPROVED if decision.snapshot == current else ReviewStanding.APPROVED_EARLIER


def objective_reviewer_list(
    *, objective: Objective, organization: Organization
) -> QuerySet[ObjectiveReviewer]:
    """An objective's reviewers with their user and whether they are still active members."""
    active = Membership.objects.filter(organization=organization, user=OuterRef("user_id"), active=True)
    return (
        ObjectiveReviewer.objects.filter(objective=objective)
        .select_related("user")
        .annotate(is_active_member=Exists(active))
        .order_by("-required", "user__username", "pk")
    )


def review_decision_list(*, objective: Objective) -> QuerySet[ReviewDecision]:
    """Every decision on an objective, the latest first, with its reviewer and round."""
    return ReviewDecision.objects.filter(objective=objective).select_related("reviewer", "request")


def review_summary(*, objective: Objective, organization: Organization) -> ReviewSummary:
    """Reviewers, their standing, the open round and every decision, in four queries at most.

    The key results are read from `objective.key_results.all()`: prefetched by okrs.selectors'
    objective_list (no query), else one query.
    """
    reviewers = list(objective_reviewer_list(objective=objective, organization=organization))
    request = ReviewRequest.objects.filter(objective=objective, outcome=ReviewOutcome.OPEN).first()
    decisions = list(review_decision_list(objective=objective))
    current = version_snapshot(objective, objective.key_results.all())
    latest = {}
    for decision in decisions:  # newest first: the first seen per reviewer is their latest
        if request is not None and decision.request_id == request.pk:
            latest.setdefault(decision.reviewer_id, decision)
    rows = [
        ReviewerRow(
            reviewer=reviewer,
            decision=latest.get(reviewer.user_id),
            standing=reviewer_standing(
                active=reviewer.is_active_member, decision=latest.get(reviewer.user_id), current=current
            ),
        )
        for reviewer in reviewers
    ]
    return ReviewSummary(
        objective=objective,
        review_required=organization.review_required,
        request=request,
        reviewers=rows,
        decisions=decisions,
    )
