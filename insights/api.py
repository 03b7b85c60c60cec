"""/api/v1/data-quality/, /api/v1/initiatives/, /api/v1/reviews/ and /api/v1/action-items/."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from accounts.api import OrganizationViewSet, ScopedPrimaryKeyRelatedField
from common.api import StrictSerializerMixin
from insights import selectors, services
from insights.choices import ReviewCadence
from insights.models import ActionItem, BusinessReview, Initiative, InitiativeImpact
from kpis.api.serializers import QualityIssueSerializer
from kpis.models import Kpi
from okrs.api.serializers import key_results, kpis, members, teams

TIMESTAMPS = ["created_at", "updated_at"]


# Data quality --------------------------------------------------------------------------------------


class KpiQualitySerializer(serializers.ModelSerializer):
    """One KPI's data quality as the last recomputation found it."""

    kpi = serializers.IntegerField(source="pk", read_only=True)
    score = serializers.DecimalField(
        source="quality_score", max_digits=5, decimal_places=4, read_only=True, allow_null=True
    )
    issues = QualityIssueSerializer(source="quality_issues", many=True, read_only=True)
    checked_at = serializers.DateTimeField(source="quality_checked_at", read_only=True, allow_null=True)

    class Meta:
        model = Kpi
        fields = ["kpi", "code", "name", "score", "issues", "checked_at"]
        read_only_fields = fields


class QualitySummarySerializer(serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="The mean of the KPIs' scores (0–1)."
    )
    checked_at = serializers.DateTimeField(allow_null=True)
    kpis = serializers.IntegerField(help_text="KPIs checked.")
    issues = serializers.IntegerField(help_text="Issues that lower a score.")


class DataQualityViewSet(OrganizationViewSet, mixins.ListModelMixin):
    """Each active KPI's data quality, worst first; `summary/` gives the organization's score."""

    serializer_class = KpiQualitySerializer
    pagination_class = None
    filter_backends = []
    queryset = Kpi.objects.none()  # the schema's model; the rows come from the selector

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Kpi.objects.none()
        return [row.kpi for row in selectors.data_quality(organization=self.organization).rows]

    @extend_schema(responses=QualitySummarySerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request):
        quality = selectors.data_quality(organization=self.organization)
        return Response(
            QualitySummarySerializer(
                {
                    "score": quality.score,
                    "checked_at": quality.checked_at,
                    "kpis": quality.kpi_count,
                    "issues": quality.issue_count,
                }
            ).data
        )


# Initiatives ---------------------------------------------------------------------------------------


def initiatives_scope(organization):
    return Initiative.objects.filter(organization=organization)


class ImpactSerializer(serializers.ModelSerializer):
    """One linked KPI before and during the initiative, against its usual variation."""

    class Meta:
        model = InitiativeImpact
        fields = [
            "kpi",
            "before_start",
            "until",
            "before",
            "during",
            "before_periods",
            "during_periods",
            "change",
            "usual_variation",
            "verdict",
            "computed_at",
        ]
        read_only_fields = fields


class InitiativeSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """An initiative and the key results and KPIs it is meant to move."""

    owner = ScopedPrimaryKeyRelatedField(scope=members, allow_null=True, required=False)
    team = ScopedPrimaryKeyRelatedField(scope=teams, allow_null=True, required=False)
    key_results = ScopedPrimaryKeyRelatedField(scope=key_results, many=True, required=False)
    kpis = ScopedPrimaryKeyRelatedField(scope=kpis, many=True, required=False)
    impacts = ImpactSerializer(many=True, read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "team",
            "start",
            "end",
            "key_results",
            "kpis",
            "impacts",
            *TIMESTAMPS,
        ]
        read_only_fields = ["impacts", *TIMESTAMPS]

    read_only_reasons = {"impacts": "computed by the recomputation from the linked KPIs' values"}

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end": ["The initiative cannot end before it starts."]})
        return attrs


class InitiativeViewSet(
    OrganizationViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Initiatives. Editors and admins write; linked KPIs are compared before each write returns."""

    serializer_class = InitiativeSerializer
    ordering_fields = ["start", "title", "updated_at"]
    search_fields = ["title"]

    def get_queryset(self):
        return selectors.initiative_list(organization=self.organization).prefetch_related("impacts")

    def perform_create(self, serializer):
        serializer.instance = services.initiative_create(
            organization=self.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.initiative_update(
            initiative=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.initiative_delete(initiative=instance)


# Reviews -------------------------------------------------------------------------------------------


def reviews_scope(organization):
    return BusinessReview.objects.filter(organization=organization)


class ReviewSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A business review: its agenda (prepared from the figures), notes, decisions and state."""

    team = ScopedPrimaryKeyRelatedField(scope=teams, allow_null=True, required=False)
    cadence = serializers.ChoiceField(choices=ReviewCadence.choices, required=False)
    held_on = serializers.DateField(required=False, help_text="Defaults to today in the organization.")
    agenda = serializers.JSONField(
        read_only=True,
        help_text="kpi_changes, key_results, movers, trends, guardrails, quality and comments, as prepared.",
    )

    class Meta:
        model = BusinessReview
        fields = [
            "id",
            "team",
            "cadence",
            "held_on",
            "covers_from",
            "state",
            "notes",
            "decisions",
            "agenda",
            "prepared_at",
            "created_by",
            *TIMESTAMPS,
        ]
        read_only_fields = ["covers_from", "state", "agenda", "prepared_at", "created_by", *TIMESTAMPS]

    read_only_reasons = {
        "state": "close a review with POST /api/v1/reviews/{id}/close/",
        "agenda": "it is prepared from the figures; POST /api/v1/reviews/{id}/prepare/ prepares it again",
    }

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("team", "cadence"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: ["A review keeps the scope it was opened with."]}
                    )
        return attrs


class ReviewViewSet(
    OrganizationViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Business reviews. Creating one prepares its agenda; notes and decisions change while it is open."""

    serializer_class = ReviewSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["held_on", "created_at"]

    def get_queryset(self):
        return selectors.review_list(organization=self.organization)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.review_create(
            organization=self.organization,
            user=self.request.user,
            team=data.get("team"),
            cadence=data.get("cadence", ReviewCadence.WEEKLY),
            held_on=data.get("held_on"),
        )
        fields = {name: data[name] for name in ("notes", "decisions") if name in data}
        if fields:
            serializer.instance = services.review_update(review=serializer.instance, **fields)

    def perform_update(self, serializer):
        fields = {
            k: v for k, v in serializer.validated_data.items() if k in ("notes", "decisions", "held_on")
        }
        serializer.instance = services.review_update(review=serializer.instance, **fields)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def prepare(self, request, pk=None):
        """Prepare the agenda again from the figures as they are now (open reviews only)."""
        review = services.review_prepare(review=self.get_object())
        return Response(ReviewSerializer(review, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the review: its agenda, notes and decisions stay as they are."""
        review = services.review_close(review=self.get_object())
        return Response(ReviewSerializer(review, context=self.get_serializer_context()).data)


class ActionItemSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """Something a review decided to do; open items carry over to later reviews of the same scope."""

    review = ScopedPrimaryKeyRelatedField(scope=reviews_scope)
    owner = ScopedPrimaryKeyRelatedField(scope=members, allow_null=True, required=False)
    key_result = ScopedPrimaryKeyRelatedField(scope=key_results, allow_null=True, required=False)
    kpi = ScopedPrimaryKeyRelatedField(scope=kpis, allow_null=True, required=False)
    done = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "review",
            "title",
            "owner",
            "due_date",
            "key_result",
            "kpi",
            "done",
            "done_at",
            *TIMESTAMPS,
        ]
        read_only_fields = ["done_at", *TIMESTAMPS]

    read_only_reasons = {"done_at": "set when `done` becomes true"}

    def validate_review(self, review):
        if self.instance is not None and review.pk != self.instance.review_id:
            raise serializers.ValidationError("An action item stays in the review that raised it.")
        return review


class ActionItemViewSet(
    OrganizationViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Action items of business reviews; mark one done with `{"done": true}`."""

    serializer_class = ActionItemSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["due_date", "created_at"]

    def get_queryset(self):
        return ActionItem.objects.filter(organization=self.organization).select_related("owner")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        review = data.pop("review")
        serializer.instance = services.action_item_create(review=review, **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "review"}
        serializer.instance = services.action_item_update(item=serializer.instance, **data)
