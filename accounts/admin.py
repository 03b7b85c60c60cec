"""The accounts admin: organizations, teams, memberships and API tokens, written through accounts.services."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.admin_base import OrganizationScopedAdmin, ServiceAdmin
from accounts.models import ApiToken, Membership, Organization, Team


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    """Settings and status rules go through organization_update, which refreshes every figure they move."""

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
    fieldsets = [
        (None, {"fields": ["name", "slug", "currency", "language", "time_zone", "fiscal_year_start_month"]}),
        ("Status rules", {"fields": ["on_track_margin", "at_risk_margin", "check_in_cadence_days"]}),
    ]

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ["name"]} if obj is None else {}

    def get_readonly_fields(self, request, obj=None):
        # The slug names the organization in commands and URLs of integrations: it stays.
        return [] if obj is None else ["slug"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def service_create(self, request, form, fields):
        return services.organization_create(**fields)

    def service_update(self, request, obj, fields):
        return services.organization_update(organization=obj, **fields)

    def service_delete(self, request, obj):
        services.organization_delete(organization=obj)


@admin.register(Team)
class TeamAdmin(ServiceAdmin):
    list_display = ["name", "kind", "organization", "parent", "lead"]
    list_filter = ["kind", "organization"]
    list_select_related = ["organization", "parent", "lead"]
    search_fields = ["name"]
    autocomplete_fields = ["organization", "parent", "lead"]
    fields = ["organization", *services.TEAM_EDITABLE]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["organization"]

    def service_create(self, request, form, fields):
        return services.team_create(**fields)

    def service_update(self, request, obj, fields):
        return services.team_update(team=obj, **fields)

    def service_delete(self, request, obj):
        services.team_delete(team=obj)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    filter_horizontal = ["teams"]
    fields = ["user", "organization", *services.MEMBERSHIP_EDITABLE]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "organization"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        organization = None if request.user.is_superuser else self._organization(request)
        if organization is not None and db_field.name == "teams":
            kwargs["queryset"] = Team.objects.filter(organization=organization)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def service_create(self, request, form, fields):
        return services.membership_create(**fields)

    def service_update(self, request, obj, fields):
        return services.membership_update(membership=obj, **fields)

    def service_delete(self, request, obj):
        services.membership_delete(membership=obj)


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
class ApiTokenAdmin(ServiceAdmin):
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

    def service_create(self, request, form, fields):
        token, raw = services.api_token_create(**fields)
        messages.warning(
            request, f"The new token is {raw} — copy it now; it will not be shown again.", fail_silently=True
        )
        return token

    def service_update(self, request, obj, fields):
        return services.api_token_update(token=obj, **fields)

    def service_delete(self, request, obj):
        services.api_token_delete(token=obj)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token)
        messages.success(request, f"{len(queryset)} token(s) revoked.", fail_silently=True)
