"""Stakeholder review in the API: an objective's reviewers, submitting it, and reviewers' decisions.

The actions live on the objectives resource (`ObjectiveReviewActions` is mixed into ObjectiveViewSet):

- `GET  /api/v1/objectives/{id}/reviews/`        reviewers, where each stands, every decision
- `PUT  /api/v1/objectives/{id}/reviewers/`      replace a draft's reviewers (editors and admins)
- `POST /api/v1/objectives/{id}/submit-review/`  draft → in review (editors and admins)
- `POST /api/v1/objectives/{id}/review/`         a reviewer (any role) approves or requests changes
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import RolePermission, ScopedPrimaryKeyRelatedField
from common.api import StrictSerializerMixin
from okrs import selectors_reviews
from okrs.choices import ObjectiveState, ReviewDecisionKind, ReviewOutcome, ReviewStanding
from okrs.models import ReviewDecision
from okrs.services import reviews as review_services

User = get_user_model()


def active_members(organization):
    return User.objects.filter(memberships__organization=organization, memberships__active=True)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


class MemberPermission(RolePermission):
    """Any member, viewers included, may post: a reviewer may be a viewer (the service checks who)."""

    def may_write(self, membership) -> bool:
        return True


# Input ------------------------------------------------------------------------------------------------


@extend_schema_field({"type": "integer"})
class MemberIdField(ScopedPrimaryKeyRelatedField):
    """A user id limited to the request organization's active members."""


class ReviewerInputSerializer(StrictSerializerMixin, serializers.Serializer):
    user = MemberIdField(scope=active_members, help_text="An active member's user id.")
    required = serializers.BooleanField(
        default=True, help_text="Whether activation waits for this reviewer's approval (default true)."
    )


class ReviewersInputSerializer(StrictSerializerMixin, serializers.Serializer):
    """The complete list of a draft's reviewers; anyone left out stops being a reviewer."""

    reviewers = ReviewerInputSerializer(many=True, allow_empty=True)


class ReviewDecisionInputSerializer(StrictSerializerMixin, serializers.Serializer):
    """A reviewer's decision on the objective in review."""

    decision = serializers.ChoiceField(choices=ReviewDecisionKind.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=review_services.COMMENT_MAX_LENGTH,
        help_text="Required when requesting changes: what should change.",
    )


# Output -----------------------------------------------------------------------------------------------


class ReviewVersionKeyResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField()
    start_value = serializers.CharField()
    target_value = serializers.CharField()


class ReviewVersionSerializer(serializers.Serializer):
    """The version of the objective a decision judged."""

    title = serializers.CharField()
    so_what = serializers.CharField()
    key_results = ReviewVersionKeyResultSerializer(many=True)


class ReviewDecisionSerializer(serializers.ModelSerializer):
    """One recorded decision: who, when, what, why, and on which version."""

    reviewer_name = serializers.SerializerMethodField()
    round = serializers.IntegerField(source="request_id", help_text="The id of the round of review.")
    version = ReviewVersionSerializer(source="snapshot")

    class Meta:
        model = ReviewDecision
        fields = ["id", "reviewer", "reviewer_name", "decision", "comment", "round", "version", "created_at"]
        read_only_fields = fields

    def get_reviewer_name(self, decision) -> str:
        return _name(decision.reviewer)


class ReviewerSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="reviewer.user_id")
    name = serializers.SerializerMethodField()
    required = serializers.BooleanField()
    standing = serializers.ChoiceField(choices=ReviewStanding.choices)
    decided_at = serializers.DateTimeField(source="decision.created_at", allow_null=True, default=None)

    def get_name(self, row) -> str:
        return _name(row.user)


class ReviewRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    submitted_by = serializers.IntegerField(source="submitted_by_id", allow_null=True)
    submitted_at = serializers.DateTimeField(source="created_at")
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)


class ObjectiveReviewSerializer(serializers.Serializer):
    """An objective's review: its reviewers and where each stands in the open round, and every decision."""

    objective = serializers.IntegerField(source="objective.pk")
    state = serializers.ChoiceField(source="objective.state", choices=ObjectiveState.choices)
    review_required = serializers.BooleanField(help_text="The organization's setting.")
    open_round = ReviewRoundSerializer(source="request", allow_null=True)
    complete = serializers.BooleanField(
        help_text="Every required reviewer who is still a member approved the current version."
    )
    waiting_for = serializers.SerializerMethodField(
        help_text="User ids of required reviewers not approved yet."
    )
    reviewers = ReviewerSerializer(many=True)
    decisions = ReviewDecisionSerializer(many=True, help_text="Every decision, the latest first.")

    def get_waiting_for(self, summary) -> list[int]:
        return [row.reviewer.user_id for row in summary.waiting_for]


# Actions ----------------------------------------------------------------------------------------------


class ObjectiveReviewActions:
    """Review actions of the objectives resource (see the module docstring)."""

    def _review_response(self, objective):
        summary = selectors_reviews.review_summary(objective=objective, organization=self.organization)
        return Response(ObjectiveReviewSerializer(summary, context=self.get_serializer_context()).data)

    def _fresh(self, objective):
        return self.get_queryset().get(pk=objective.pk)

    @extend_schema(request=None, responses=ObjectiveReviewSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reviews(self, request, pk=None):
        """The objective's reviewers, where each stands in the open round, and every decision taken."""
        return self._review_response(self.get_object())

    @extend_schema(request=ReviewersInputSerializer, responses=ObjectiveReviewSerializer)
    @action(detail=True, methods=["put"], pagination_class=None, filter_backends=[])
    def reviewers(self, request, pk=None):
        """Replace a draft's reviewers: active members of any role, except its owner."""
        objective = self.get_object()
        body = ReviewersInputSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        pairs = [(row["user"], row["required"]) for row in body.validated_data["reviewers"]]
        review_services.objective_reviewers_set(objective=objective, reviewers=pairs, user=request.user)
        return self._review_response(self._fresh(objective))

    @extend_schema(request=None)
    @action(
        detail=True, methods=["post"], url_path="submit-review", pagination_class=None, filter_backends=[]
    )
    def submit_review(self, request, pk=None):
        """Submit a draft for review (draft → in review); its reviewers are told."""
        objective = review_services.objective_review_submit(objective=self.get_object(), user=request.user)
        objective = self._fresh(objective)
        return Response(self.get_serializer(objective).data)

    @extend_schema(request=ReviewDecisionInputSerializer, responses=ObjectiveReviewSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[MemberPermission],
        pagination_class=None,
        filter_backends=[],
    )
    def review(self, request, pk=None):
        """A reviewer approves the objective, or requests changes with a comment (it then goes back to draft).

        Once every required reviewer approved the current version, the objective becomes active.
        """
        objective = self.get_object()
        body = ReviewDecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_services.objective_review_decide(objective=objective, user=request.user, **body.validated_data)
        return self._review_response(self._fresh(objective))
