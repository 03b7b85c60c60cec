from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Membership, Organization, Team
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
