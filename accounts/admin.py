from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.models import ApiToken, Membership, Organization, Team
from common.admin import OrganizationScopedAdmin


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = "pk"
    list_display = [
        "name",
        "slug",
        "currency",
        "language",
        "fiscal_year_start_month",
        "check_in_cadence_days",
    ]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "currency", "language", "time_zone", "fiscal_year_start_month"]}),
        ("Status rules", {"fields": ["on_track_margin", "at_risk_margin", "check_in_cadence_days"]}),
    ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Team)
class TeamAdmin(OrganizationScopedAdmin):
    list_display = ["name", "kind", "organization", "parent", "lead"]
    list_filter = ["kind", "organization"]
    list_select_related = ["organization", "parent", "lead"]
    search_fields = ["name"]
    autocomplete_fields = ["organization", "parent", "lead"]


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    filter_horizontal = ["teams"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(OrganizationScopedAdmin, BaseUserAdmin):
    """People of the admin's organization; only superusers grant staff or superuser rights."""

    organization_path = "memberships__organization"

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly


@admin.register(ApiToken)
class ApiTokenAdmin(OrganizationScopedAdmin):
    """Tokens of the organization's people. A new token is shown once, in the confirmation message."""

    organization_path = "user__memberships__organization"
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "last_used_at", "revoked_at", "created_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", "prefix", "expires_at", "last_used_at", "revoked_at", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else [*self.readonly_fields, "user"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = services.api_token_create(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.token_hash = token.pk, token.prefix, token.token_hash
        obj.created_at = token.created_at
        obj._state.adding = False
        messages.warning(
            request, f"The new token is {raw} — copy it now; it will not be shown again.", fail_silently=True
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token)
        messages.success(request, f"{len(queryset)} token(s) revoked.", fail_silently=True)
