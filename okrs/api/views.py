"""API viewsets of the OKR resources: reads through okrs.selectors, writes through services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.api import AdminWritePermission, OrganizationViewSet
from okrs import selectors, services
from okrs.api import filters
from okrs.api.reviews import ObjectiveReviewActions
from okrs.api.serializers import (
    AlignmentSerializer,
    CheckInSerializer,
    ClosePreviewSerializer,
    CycleSerializer,
    KeyResultSerializer,
    ObjectiveSerializer,
    PrioritySerializer,
    ReopenSerializer,
    ScoreAdjustSerializer,
    TeamSerializer,
)
from okrs.choices import CheckInSource

CRUD = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
)


class TeamViewSet(OrganizationViewSet, *CRUD):
    """Teams of your organization. Admins create, change and delete them."""

    serializer_class = TeamSerializer
    permission_classes = [AdminWritePermission]
    filterset_class = filters.TeamFilter
    ordering_fields = ["name", "kind", "created_at", "updated_at"]
    search_fields = ["name"]

    def get_queryset(self):
        return account_selectors.team_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = account_services.team_create(
            organization=self.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = account_services.team_update(
            team=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        account_services.team_delete(team=instance)


class CycleViewSet(OrganizationViewSet, *CRUD):
    """Planning periods. Admins create, change, close and delete them."""

    serializer_class = CycleSerializer
    permission_classes = [AdminWritePermission]
    filterset_class = filters.CycleFilter
    ordering_fields = ["start", "end", "name", "updated_at"]
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.cycle_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.cycle_create(
            organization=self.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.cycle_update(cycle=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.cycle_delete(cycle=instance)

    @extend_schema(request=None, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the cycle: active objectives close and every key result is scored by its progress."""
        cycle = services.cycle_close(cycle=self.get_object(), user=request.user)
        return Response(CycleSerializer(cycle, context=self.get_serializer_context()).data)

    @extend_schema(responses=ClosePreviewSerializer)
    @action(detail=True, methods=["get"], url_path="close-preview", pagination_class=None, filter_backends=[])
    def close_preview(self, request, pk=None):
        """Every objective and key result of the cycle with the score closing it now would give.

        Key results of active objectives: their progress rounded half up to two decimals; objectives: the
        weighted mean of those scores. A closed cycle's preview shows the scores it has.
        """
        cycle = self.get_object()
        preview = {"cycle": cycle, "objectives": selectors.cycle_close_preview(cycle=cycle)}
        return Response(ClosePreviewSerializer(preview, context=self.get_serializer_context()).data)


class PriorityViewSet(OrganizationViewSet, *CRUD):
    """Company priorities, the anchors objectives align to. Admins manage them."""

    serializer_class = PrioritySerializer
    permission_classes = [AdminWritePermission]
    filterset_class = filters.PriorityFilter
    ordering_fields = ["order", "title", "weight", "updated_at"]
    search_fields = ["title", "description"]

    def get_queryset(self):
        return selectors.priority_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.priority_create(
            organization=self.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.priority_update(
            priority=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.priority_delete(priority=instance)


class ObjectiveViewSet(ObjectiveReviewActions, OrganizationViewSet, *CRUD):
    """Objectives with their computed progress and status (read-only, set by the recomputation)."""

    serializer_class = ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter
    ordering_fields = ["position", "title", "progress", "status", "state", "updated_at", "last_check_in_at"]
    search_fields = ["title", "description", "so_what"]

    def get_queryset(self):
        return selectors.objective_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.objective_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.objective_update(
            objective=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.objective_delete(objective=instance)

    @extend_schema(request=ReopenSerializer, responses=ObjectiveSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a closed objective (closed → active): organization admins only, with a reason, kept."""
        objective = self.get_object()
        if not self.membership.is_admin:
            raise PermissionDenied("Only organization admins can reopen a closed objective.")
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objective = services.objective_reopen(objective=objective, user=request.user, **body.validated_data)
        objective = self.get_queryset().get(pk=objective.pk)
        return Response(ObjectiveSerializer(objective, context=self.get_serializer_context()).data)


class KeyResultViewSet(OrganizationViewSet, *CRUD):
    """Key results; their current value changes only through check-ins."""

    serializer_class = KeyResultSerializer
    filterset_class = filters.KeyResultFilter
    ordering_fields = [
        "position",
        "title",
        "progress",
        "status",
        "due_date",
        "updated_at",
        "last_check_in_at",
    ]
    search_fields = ["title"]

    def get_queryset(self):
        return selectors.key_result_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.key_result_create(**serializer.validated_data)

    def perform_update(self, serializer):
        fields = {k: v for k, v in serializer.validated_data.items() if k != "objective"}
        serializer.instance = services.key_result_update(key_result=serializer.instance, **fields)

    def perform_destroy(self, instance):
        services.key_result_delete(key_result=instance)

    @extend_schema(request=ScoreAdjustSerializer, responses=KeyResultSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """The owner adjusts a closed key result's score, with a reason; its objective's score follows."""
        key_result = self.get_object()
        if key_result.owner_id != request.user.pk:
            raise PermissionDenied("Only the key result's owner can adjust its score.")
        body = ScoreAdjustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key_result = services.key_result_score_set(
            key_result=key_result, user=request.user, **body.validated_data
        )
        return Response(KeyResultSerializer(key_result, context=self.get_serializer_context()).data)


class CheckInViewSet(
    OrganizationViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Check-ins: the history of reported values. Posting one updates the key result at once."""

    serializer_class = CheckInSerializer
    filterset_class = filters.CheckInFilter
    ordering_fields = ["checked_in_at", "created_at", "value"]
    search_fields = ["note"]

    def get_queryset(self):
        return selectors.check_in_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.check_in_create(
            author=self.request.user, source=CheckInSource.API, **serializer.validated_data
        )


@extend_schema_serializer(many=False)
class AlignmentResponseSerializer(AlignmentSerializer):
    pass


class AlignmentQuerySerializer(serializers.Serializer):
    cycle = serializers.IntegerField(required=False, min_value=1, max_value=filters.MAX_ID)


class AlignmentViewSet(OrganizationViewSet):
    """The alignment tree of one cycle: priorities → objectives → child objectives → key results."""

    pagination_class = None
    filter_backends = []
    serializer_class = AlignmentResponseSerializer

    def query_parameters(self) -> set[str]:
        return set(AlignmentQuerySerializer().fields)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cycle",
                {"type": "integer", "minimum": 1, "maximum": filters.MAX_ID},
                description="The cycle's id; defaults to the current cycle.",
            )
        ],
        responses=AlignmentResponseSerializer,
    )
    def list(self, request):
        self.refuse_empty_parameters()
        query = AlignmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cycles = selectors.cycle_list(organization=self.organization)
        if "cycle" in query.validated_data:
            cycle = get_object_or_404(cycles, pk=query.validated_data["cycle"])
        else:
            cycle = selectors.cycle_current(organization=self.organization)
            if cycle is None:
                return Response(
                    {"code": "not_found", "detail": "Your organization has no cycle yet."},
                    status=status.HTTP_404_NOT_FOUND,
                )
        tree = selectors.alignment_tree(organization=self.organization, cycle=cycle)
        return Response(AlignmentResponseSerializer(tree, context=self.get_serializer_context()).data)
