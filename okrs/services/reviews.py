"""Stakeholder review: reviewers of a draft, submitting it, their decisions, and what review requires.

The flow: while an objective is a draft its editors list reviewers (any active member but its owner;
each required or optional). Submitting it (draft → in review) opens a round of review and tells the
reviewers (okrs.signals.review_requested). Each reviewer approves, or requests changes with a comment;
every decision is kept with the version it judged. A request for changes closes the round and sends the
objective back to draft. Once every required reviewer approved the current version, the objective
becomes active.

With the organization's `review_required` on, that is the only way from review to active: moving it by
hand is refused, naming who has not approved yet; a draft cannot be submitted without a required
reviewer; a new objective starts as a draft; and changing an active objective's key results (a new
one, a deleted one, another kind, start or target) sends it back to review. With it off, the same
review works, and an editor may also activate an objective in review by hand.

objective_update and the key-result services call the hooks below, so that pages, the API and the
admin all follow these rules.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from common.exceptions import ApplicationError
from common.people import person_name
from okrs import selectors_reviews, signals
from okrs.choices import ObjectiveState, ReviewDecisionKind, ReviewOutcome
from okrs.models import Objective, ObjectiveReviewer, ObjectiveStateChange, ReviewDecision, ReviewRequest
from okrs.services import objectives as objective_services
from okrs.services.guards import cycle_lock, ensure_cycle_open

# A change of these fields of a key result changes what reviewers approved.
REVIEWED_KEY_RESULT_FIELDS = frozenset({"kind", "start_value", "target_value"})
COMMENT_MAX_LENGTH = 4000


# Reviewers and decisions --------------------------------------------------------------------------------


@transaction.atomic
def objective_reviewers_set(
    *, objective: Objective, reviewers: Sequence[tuple[object, bool]], user=None
) -> list[ObjectiveReviewer]:
    """Replace a draft's reviewers with `reviewers`, pairs of (user, required).

    Reviewers are active members of the objective's organization, whatever their role; the owner does
    not review their own objective. Decisions already taken stay in the history.
    """
    cycle = cycle_lock(objective.cycle_id)
    stored = Objective.objects.get(pk=objective.pk)
    ensure_cycle_open(cycle)
    if stored.state != ObjectiveState.DRAFT:
        raise ApplicationError(
            _("Reviewers are chosen while the objective is a draft: move it back to draft to change them."),
            field="reviewers",
        )
    wanted: dict[int, tuple[object, bool]] = {}
    for person, required in reviewers:
        if person.pk in wanted and wanted[person.pk][1] != bool(required):
            raise ApplicationError(
                _("%(person)s is listed both as a required and as an optional reviewer.")
                % {"person": person_name(person)},
                field="reviewers",
            )
        wanted[person.pk] = (person, bool(required))
    _check_reviewers(stored, [person for person, _required in wanted.values()], cycle.organization_id)
    ObjectiveReviewer.objects.filter(objective=stored).exclude(user_id__in=wanted).delete()
    existing = {r.user_id: r for r in ObjectiveReviewer.objects.filter(objective=stored)}
    for pk, (person, required) in wanted.items():
        reviewer = existing.get(pk)
        if reviewer is None:
            ObjectiveReviewer.objects.create(objective=stored, user=person, required=required, added_by=user)
        elif reviewer.required != required:
            reviewer.required = required
            reviewer.save(update_fields=["required", "updated_at"])
    return list(ObjectiveReviewer.objects.filter(objective=stored).select_related("user"))


def _check_reviewers(objective: Objective, people: list, organization_id: int) -> None:
    members = set(
        Membership.objects.filter(
            organization_id=organization_id, active=True, user__in=[p.pk for p in people]
        ).values_list("user_id", flat=True)
    )
    for person in people:
        if person.pk == objective.owner_id:
            raise ApplicationError(
                _("%(person)s owns this objective and cannot review it.") % {"person": person_name(person)},
                field="reviewers",
            )
        if person.pk not in members:
            raise ApplicationError(
                _("%(person)s is not an active member of this organization.")
                % {"person": person_name(person)},
                field="reviewers",
            )


def objective_review_submit(*, objective: Objective, user) -> Objective:
    """Submit a draft for review (draft → in review): its reviewers are asked to decide."""
    if Objective.objects.filter(pk=objective.pk, state=ObjectiveState.DRAFT).exists() is False:
        raise ApplicationError(_("Only a draft can be submitted for review."), field="state")
    return objective_services.objective_update(objective=objective, user=user, state=ObjectiveState.IN_REVIEW)


@transaction.atomic
def objective_review_decide(
    *, objective: Objective, user, decision: str, comment: str = ""
) -> ReviewDecision:
    """A reviewer approves the objective in review, or requests changes saying what.

    Changes requested: the round closes and the objective goes back to draft. Approved: once every
    required reviewer approved this version, the objective becomes active.
    """
    cycle = cycle_lock(objective.cycle_id)
    objective = Objective.objects.select_related("cycle").get(pk=objective.pk)
    ensure_cycle_open(cycle)
    comment = (comment or "").strip()
    if decision not in ReviewDecisionKind.values:
        raise ApplicationError(_("Approve, or request changes."), field="decision")
    if objective.state != ObjectiveState.IN_REVIEW:
        raise ApplicationError(
            _("Only an objective in review can be approved or sent back; this one is %(state)s.")
            % {"state": objective.get_state_display().lower()},
            field="decision",
        )
    reviewer = ObjectiveReviewer.objects.filter(objective=objective, user=user).first()
    is_member = Membership.objects.filter(organization_id=cycle.organization_id, user=user, active=True)
    if reviewer is None or not is_member.exists():
        raise ApplicationError(_("You are not a reviewer of this objective."), field="decision")
    if decision == ReviewDecisionKind.REQUEST_CHANGES and not comment:
        raise ApplicationError(_("Say what should change."), field="comment")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the comment under %(n)s characters.") % {"n": COMMENT_MAX_LENGTH}, field="comment"
        )
    request = _open_request(objective, submitted_by=None)
    record = ReviewDecision.objects.create(
        request=request,
        objective=objective,
        reviewer=user,
        decision=decision,
        comment=comment,
        snapshot=selectors_reviews.version_snapshot(objective, objective.key_results.all()),
    )
    if decision == ReviewDecisionKind.REQUEST_CHANGES:
        _close_request(request, ReviewOutcome.CHANGES_REQUESTED)
        objective = objective_services.objective_update(
            objective=objective,
            user=user,
            state=ObjectiveState.DRAFT,
            reason=_("Changes requested: %(comment)s") % {"comment": comment},
        )
    elif selectors_reviews.review_summary(objective=objective, organization=cycle.organization).complete:
        objective = objective_services.objective_update(
            objective=objective,
            user=user,
            state=ObjectiveState.ACTIVE,
            reason=_("Approved by every required reviewer."),
        )
    signals.review_decided.send(sender=ReviewDecision, objective=objective, decision=record)
    return record


# Hooks of objective_update, objective_create and the key-result services -------------------------------


def review_initial_state_check(*, state: str, organization: Organization) -> None:
    """With review required, a new objective starts as a draft: nobody has reviewed it yet."""
    if organization.review_required and state != ObjectiveState.DRAFT:
        raise ApplicationError(
            _(
                "Your organization requires review: a new objective starts as a draft; choose its "
                "reviewers, then submit it for review."
            ),
            field="state",
        )


def review_transition_check(*, objective: Objective, new_state: str, organization: Organization) -> None:
    """Refuse a move that review forbids: submitting without a reviewer, activating without approvals."""
    if not organization.review_required or new_state == objective.state:
        return
    if new_state == ObjectiveState.IN_REVIEW:
        summary = selectors_reviews.review_summary(objective=objective, organization=organization)
        if summary.required_count == 0:
            raise ApplicationError(
                _("Your organization requires review: choose at least one required reviewer first."),
                field="state",
            )
    elif objective.state == ObjectiveState.IN_REVIEW and new_state == ObjectiveState.ACTIVE:
        summary = selectors_reviews.review_summary(objective=objective, organization=organization)
        if summary.complete:
            return
        if summary.required_count == 0:
            raise ApplicationError(
                _(
                    "Your organization requires review, and this objective has no required reviewer: "
                    "move it back to draft, choose its reviewers and submit it again."
                ),
                field="state",
            )
        names = ", ".join(person_name(row.user) for row in summary.waiting_for)
        raise ApplicationError(
            _(
                "Your organization requires review: this objective becomes active once every required "
                "reviewer has approved it. Not approved yet: %(names)s."
            )
            % {"names": names},
            field="state",
        )


def review_state_changed(
    *, objective: Objective, previous_state: str, user, organization: Organization
) -> None:
    """Open, close or settle the round of review that a move of the objective starts or ends."""
    if objective.state == previous_state:
        return
    if objective.state == ObjectiveState.IN_REVIEW:
        _review_open(objective, user=user)
        return
    request = ReviewRequest.objects.filter(objective=objective, outcome=ReviewOutcome.OPEN).first()
    if request is None:
        return
    if objective.state == ObjectiveState.ACTIVE:
        summary = selectors_reviews.review_summary(objective=objective, organization=organization)
        _close_request(request, ReviewOutcome.APPROVED if summary.complete else ReviewOutcome.ACTIVATED)
    else:
        _close_request(request, ReviewOutcome.WITHDRAWN)


def review_after_key_result_change(*, objective_id: int, user, organization: Organization) -> None:
    """With review required, an active objective whose key results changed goes back to review.

    Only an objective with a required reviewer goes back: without one, nobody could approve it again.
    The caller refreshes the cycle's figures afterwards (an objective in review counts in no roll-up).
    """
    if not organization.review_required:
        return
    objective = Objective.objects.select_related("cycle").get(pk=objective_id)
    if objective.state != ObjectiveState.ACTIVE:
        return
    if selectors_reviews.review_summary(objective=objective, organization=organization).required_count == 0:
        return
    objective.state = ObjectiveState.IN_REVIEW
    objective.save(update_fields=["state", "updated_at"])
    ObjectiveStateChange.objects.create(
        objective=objective,
        from_state=ObjectiveState.ACTIVE,
        to_state=ObjectiveState.IN_REVIEW,
        user=user,
        reason=_("Its key results changed after approval: back to review."),
    )
    _review_open(objective, user=user)
    signals.objective_state_changed.send(
        sender=Objective, objective=objective, previous_state=ObjectiveState.ACTIVE
    )


def _review_open(objective: Objective, *, user) -> ReviewRequest:
    """A new round: any round left open closes, and the reviewers who are still members are told."""
    open_rounds = ReviewRequest.objects.filter(objective=objective, outcome=ReviewOutcome.OPEN)
    for stale in open_rounds:
        _close_request(stale, ReviewOutcome.WITHDRAWN)
    request = ReviewRequest.objects.create(objective=objective, submitted_by=user)
    reviewers = [
        reviewer.user
        for reviewer in selectors_reviews.objective_reviewer_list(
            objective=objective, organization=objective.cycle.organization_id
        )
        if reviewer.is_active_member
    ]
    if reviewers:
        signals.review_requested.send(sender=ReviewRequest, objective=objective, reviewers=reviewers)
    return request


def _open_request(objective: Objective, *, submitted_by) -> ReviewRequest:
    """The open round; an objective put in review before rounds were kept gets one now."""
    request = ReviewRequest.objects.filter(objective=objective, outcome=ReviewOutcome.OPEN).first()
    return request or ReviewRequest.objects.create(objective=objective, submitted_by=submitted_by)


def _close_request(request: ReviewRequest, outcome: str) -> None:
    request.outcome = outcome
    request.closed_at = timezone.now()
    request.save(update_fields=["outcome", "closed_at"])


__all__ = [
    "REVIEWED_KEY_RESULT_FIELDS",
    "objective_review_decide",
    "objective_review_submit",
    "objective_reviewers_set",
    "review_after_key_result_change",
    "review_initial_state_check",
    "review_state_changed",
    "review_transition_check",
]
