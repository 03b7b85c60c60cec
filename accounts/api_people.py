"""The API of an organization's people: `/api/v1/members/` and `/api/v1/invitations/`.

Every member reads the member list; only organization admins change roles, teams and whether a member
is active, and only they see, send, resend and revoke invitations. Writes go through accounts.services,
the same services as the Settings → Members page and the admin site.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api import (
    AdminWritePermission,
    OrganizationViewSet,
    RolePermission,
    ScopedPrimaryKeyRelatedField,
)
from accounts.choices import InvitationState, Role
from accounts.models import Invitation, Membership, Team
from common.api import StrictSerializerMixin

TIMESTAMPS = ["created_at", "updated_at"]


def organization_teams(organization):
    return Team.objects.filter(organization=organization)


class MemberSerializer(serializers.ModelSerializer):
    """A person's membership of your organization: who they are, their role, teams and whether active."""

    user = serializers.IntegerField(source="user_id", read_only=True, help_text="The person's user id.")
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "email", "name", "role", "teams", "active", *TIMESTAMPS]
        read_only_fields = fields


class MemberUpdateSerializer(StrictSerializerMixin, serializers.Serializer):
    """What an admin changes: the role, the teams, or `active` (false deactivates; nobody is deleted)."""

    role = serializers.ChoiceField(choices=Role.choices, required=False)
    # `queryset` only tells the schema what the ids are; `scope` limits them to the organization.
    teams = ScopedPrimaryKeyRelatedField(
        scope=organization_teams, queryset=Team.objects.none(), many=True, required=False
    )
    active = serializers.BooleanField(
        required=False,
        help_text="false deactivates the member: they can no longer sign in to this organization.",
    )


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation to join your organization; its link is only ever sent to the invited address."""

    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "teams",
            "state",
            "invited_by",
            "expires_at",
            "sent_at",
            "accepted_at",
            "accepted_by",
            "revoked_at",
            *TIMESTAMPS,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=InvitationState.choices))
    def get_state(self, invitation) -> str:
        return invitation.state(timezone.now())


class InvitationCreateSerializer(StrictSerializerMixin, serializers.Serializer):
    """Invite an address with a role and teams; the mail with a single-use link goes out at once."""

    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)
    teams = ScopedPrimaryKeyRelatedField(
        scope=organization_teams, queryset=Team.objects.none(), many=True, required=False, default=list
    )


class AdminOnlyPermission(RolePermission):
    """Only organization admins, for reads as well as writes (invitations carry addresses and roles)."""

    message = _("Only organization admins can see and send invitations.")

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if not request.membership.is_admin:
            self.message = AdminOnlyPermission.message
            return False
        return True


class MemberViewSet(OrganizationViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Members of your organization. Everyone reads; admins change roles and teams, and deactivate."""

    serializer_class = MemberSerializer
    permission_classes = [AdminWritePermission]
    ordering_fields = ["created_at", "role", "user__username"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]

    def get_queryset(self):
        return selectors.member_list(organization=self.organization)

    @extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer)
    def partial_update(self, request, pk=None):
        """Change a member's role or teams, or deactivate (`active: false`) or reactivate them.

        The organization always keeps at least one active admin: demoting or deactivating the last
        one is a 400 naming `role` or `active`.
        """
        membership = self.get_object()
        body = MemberUpdateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.membership_update(membership=membership, **body.validated_data)
        membership = self.get_queryset().get(pk=membership.pk)
        return Response(MemberSerializer(membership, context=self.get_serializer_context()).data)


class InvitationViewSet(
    OrganizationViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin
):
    """Invitations of your organization (admins only). DELETE revokes: the link dies, the row stays."""

    serializer_class = InvitationSerializer
    permission_classes = [AdminOnlyPermission]
    ordering_fields = ["created_at", "email", "expires_at"]
    search_fields = ["email"]

    def get_queryset(self):
        return selectors.invitation_list(organization=self.organization)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        """Invite an address; the mail holds a single-use link valid for 7 days."""
        body = InvitationCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            organization=self.organization, invited_by=request.user, **body.validated_data
        )
        return Response(self._shaped(invitation), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send the invitation again with a new link valid for 7 days; earlier links stop working."""
        invitation = services.invitation_resend(invitation=self.get_object())
        return Response(self._shaped(invitation))

    def perform_destroy(self, instance):
        services.invitation_revoke(invitation=instance)

    def _shaped(self, invitation):
        invitation = self.get_queryset().get(pk=invitation.pk)
        return InvitationSerializer(invitation, context=self.get_serializer_context()).data
