"""The API of a person's notifications: `/api/v1/notifications/`, their preferences and the organization's
defaults. Everyone reads and marks their own notifications (viewers too: reading is not changing data);
another person's or another organization's notification is a 404."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import OrganizationViewSet, RolePermission
from common.api import StrictSerializerMixin
from notifications import selectors, services
from notifications.choices import NotificationKind, Weekday
from notifications.models import Notification, NotificationDefaults, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    """One notification of yours; `link` is a path on this site, `read_at` null while unread."""

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "email_state"]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notifications were marked read.")


class PreferenceSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """Which events you hear about, whether by email too, and when your weekly digest arrives."""

    events = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationKind.choices),
        help_text="The events you want to hear about.",
    )
    digest_weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 is Monday, 6 Sunday.")
    digest_hour = serializers.IntegerField(min_value=0, max_value=23, help_text="Local hour, 0 to 23.")

    class Meta:
        model = NotificationPreference
        fields = ["events", "email", "digest_weekday", "digest_hour", "time_zone"]


class DefaultsSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """The organization's defaults for people who have not chosen, the damping threshold and mail limit."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=NotificationKind.choices))
    digest_weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 is Monday, 6 Sunday.")
    digest_hour = serializers.IntegerField(min_value=0, max_value=23)

    class Meta:
        model = NotificationDefaults
        fields = [
            "events",
            "email",
            "digest_weekday",
            "digest_hour",
            "alert_after_evaluations",
            "emails_per_hour",
        ]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        label="true: only unread; false: only read.",
    )
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "true")


class MemberPermission(RolePermission):
    """Any member, viewers included: marking your own notifications read changes nobody's data."""

    def may_write(self, membership) -> bool:
        return True


class DefaultsPermission(RolePermission):
    message = _("Only organization admins can change the notification defaults.")

    def may_write(self, membership) -> bool:
        return membership.is_admin


class NotificationViewSet(OrganizationViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Your notifications in your organization, newest first (`?unread=true` for the unread ones)."""

    serializer_class = NotificationSerializer
    permission_classes = [MemberPermission]
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    search_fields = ["title", "body"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema anonymously
            return Notification.objects.none()
        return selectors.notification_list(user=self.request.user, organization=self.organization)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (again: nothing changes)."""
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification of yours in this organization read."""
        marked = services.notification_mark_all_read(user=request.user, organization=self.organization)
        return Response({"marked": marked})

    @extend_schema(methods=["GET"], request=None, responses=PreferenceSerializer)
    @extend_schema(methods=["PATCH"], request=PreferenceSerializer, responses=PreferenceSerializer)
    @action(detail=False, methods=["get", "patch"], filterset_class=None, pagination_class=None)
    def preferences(self, request):
        """Your notification preferences here (the organization's defaults until you change them)."""
        if request.method == "PATCH":
            body = PreferenceSerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            services.preference_update(
                user=request.user, organization=self.organization, **body.validated_data
            )
        preference = selectors.preference_for(user=request.user, organization=self.organization)
        return Response(PreferenceSerializer(preference).data)

    @extend_schema(methods=["GET"], request=None, responses=DefaultsSerializer)
    @extend_schema(methods=["PATCH"], request=DefaultsSerializer, responses=DefaultsSerializer)
    @action(
        detail=False,
        methods=["get", "patch"],
        permission_classes=[DefaultsPermission],
        filterset_class=None,
        pagination_class=None,
    )
    def defaults(self, request):
        """The organization's notification defaults; admins change them."""
        if request.method == "PATCH":
            body = DefaultsSerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            services.defaults_update(organization=self.organization, **body.validated_data)
        defaults = selectors.defaults_for(organization=self.organization)
        return Response(DefaultsSerializer(defaults).data)
