"""Comments in the API: `/api/v1/comments/` (list, read, post, PATCH within 15 minutes, soft DELETE) and
`POST /api/v1/comments/{id}/hide/` for organization admins."""

from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from accounts.api import OrganizationViewSet, RolePermission, ScopedPrimaryKeyRelatedField
from comments import selectors, services, text
from comments.models import BODY_MAX_LENGTH, Comment
from common.api import StrictSerializerMixin
from kpis.models import Kpi
from okrs.api.filters import IdFilter, UpdatedSinceFilterSet
from okrs.models import KeyResult, Objective


def objectives(organization):
    return Objective.objects.filter(cycle__organization=organization)


def key_results(organization):
    return KeyResult.objects.filter(objective__cycle__organization=organization).select_related(
        "objective__cycle"
    )


def kpis(organization):
    return Kpi.objects.filter(organization=organization)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


class CommentFilter(UpdatedSinceFilterSet):
    objective = IdFilter(field_name="objective_id", label="Comments on this objective and its key results")
    key_result = IdFilter(field_name="key_result_id", label="Comments on this key result")
    kpi = IdFilter(field_name="kpi_id", label="Comments on this KPI")

    class Meta:
        model = Comment
        fields = ["objective", "key_result", "kpi", "updated_since"]


class MentionSerializer(StrictSerializerMixin, serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return _name(user)


class CommentSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A comment on an objective, one of its key results, or a KPI.

    Post it with exactly one of `objective`, `key_result` or `kpi` (a key result's comment also carries
    its objective). `body` is plain text; `body_html` is the same text escaped, with links made safe and
    @mentions marked. A deleted comment keeps its place with an empty body; a hidden one shows its body
    to organization admins only.
    """

    objective = ScopedPrimaryKeyRelatedField(scope=objectives, allow_null=True, required=False)
    key_result = ScopedPrimaryKeyRelatedField(scope=key_results, allow_null=True, required=False)
    kpi = ScopedPrimaryKeyRelatedField(scope=kpis, allow_null=True, required=False)
    body = serializers.CharField(
        max_length=BODY_MAX_LENGTH, help_text="Plain text; @username mentions a member."
    )
    body_html = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    mentions = MentionSerializer(many=True, read_only=True)
    editable_until = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "objective",
            "key_result",
            "kpi",
            "author",
            "author_name",
            "body",
            "body_html",
            "mentions",
            "edited_at",
            "editable_until",
            "deleted",
            "hidden",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["author", "edited_at", "created_at", "updated_at"]

    read_only_reasons = {
        "author": gettext_lazy("it is the person who posts the comment"),
        "body_html": gettext_lazy("it is rendered from body"),
        "mentions": gettext_lazy("they are read from the @usernames in body"),
        "edited_at": gettext_lazy("it is set when the author edits the comment"),
        "editable_until": gettext_lazy("it is 15 minutes after the comment was posted"),
        "deleted": gettext_lazy("delete the comment with DELETE"),
        "hidden": gettext_lazy("organization admins hide a comment with POST /api/v1/comments/{id}/hide/"),
    }

    def validate(self, attrs):
        targets = [name for name in ("objective", "key_result", "kpi") if attrs.get(name) is not None]
        if len(targets) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": ["Give exactly one of objective, key_result or kpi."]}
            )
        return attrs

    def _shows_body(self, comment) -> bool:
        if comment.is_deleted:
            return False
        membership = getattr(self.context.get("request"), "membership", None)
        return not comment.is_hidden or bool(membership and membership.is_admin)

    def to_representation(self, comment):
        data = super().to_representation(comment)
        if not self._shows_body(comment):
            data["body"] = ""
        return data

    def get_body_html(self, comment) -> str:
        if not self._shows_body(comment):
            return ""
        mentioned = {user.username.lower(): _name(user) for user in comment.mentions.all()}
        return text.render_body(comment.body, mentioned)

    def get_author_name(self, comment) -> str:
        return _name(comment.author)

    def get_editable_until(self, comment) -> str:
        return serializers.DateTimeField().to_representation(services.comment_editable_until(comment))

    def get_deleted(self, comment) -> bool:
        return comment.is_deleted

    def get_hidden(self, comment) -> bool:
        return comment.is_hidden


class CommentEditSerializer(StrictSerializerMixin, serializers.Serializer):
    """A comment's new text (the author, within 15 minutes of posting it)."""

    body = serializers.CharField(max_length=BODY_MAX_LENGTH)


class CommentHideSerializer(StrictSerializerMixin, serializers.Serializer):
    hidden = serializers.BooleanField(default=True, help_text="false shows a hidden comment again.")


class CommentPermission(RolePermission):
    """Members (viewers too) read and post; only the author edits or deletes; only admins hide."""

    message = "Only the author can edit or delete a comment; only organization admins can hide one."

    def may_write(self, membership) -> bool:
        return True

    def has_object_permission(self, request, view, comment) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action == "hide":
            return request.membership.is_admin
        return comment.author_id == request.user.pk


class CommentViewSet(
    OrganizationViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Comments of your organization's objectives, key results and KPIs, oldest first."""

    serializer_class = CommentSerializer
    permission_classes = [CommentPermission]
    filterset_class = CommentFilter
    ordering_fields = ["created_at", "updated_at"]
    # No text search: it would tell which words deleted and hidden comments contain.
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.comment_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.comment_create(author=self.request.user, **serializer.validated_data)

    @extend_schema(request=CommentEditSerializer, responses=CommentSerializer)
    def partial_update(self, request, *args, **kwargs):
        """The author changes the text within 15 minutes of posting; mentions are read again."""
        comment = self.get_object()
        body = CommentEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.comment_update(comment=comment, user=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=comment.pk)).data)

    def perform_destroy(self, instance):
        services.comment_delete(comment=instance, user=self.request.user)

    @extend_schema(request=CommentHideSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        """An organization admin hides a comment from everyone but admins (`{"hidden": false}` shows it)."""
        comment = self.get_object()
        body = CommentHideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.comment_hide(comment=comment, user=request.user, **body.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=comment.pk)).data, status=status.HTTP_200_OK
        )
