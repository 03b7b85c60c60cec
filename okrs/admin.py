from django.contrib import admin

from common.admin import OrganizationScopedAdmin
from okrs.models import (
    CheckIn,
    Cycle,
    KeyResult,
    KeyResultSnapshot,
    Objective,
    ObjectiveSnapshot,
    Priority,
    RollUp,
)


@admin.register(Cycle)
class CycleAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "start", "end", "state"]
    list_filter = ["state", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    autocomplete_fields = ["organization"]
    date_hierarchy = "start"


@admin.register(Priority)
class PriorityAdmin(OrganizationScopedAdmin):
    list_display = ["title", "order", "weight", "active", "owner", "organization"]
    list_editable = ["order", "weight", "active"]
    list_filter = ["active", "organization"]
    list_select_related = ["organization", "owner"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["organization", "owner"]
    ordering = ["organization", "order"]


class KeyResultInline(admin.StackedInline):
    model = KeyResult
    extra = 0
    autocomplete_fields = ["owner", "kpi"]
    fields = [
        ("title", "owner"),
        ("kind", "unit"),
        ("start_value", "target_value", "current_value"),
        ("due_date", "weight", "confidence"),
        ("kpi", "kpi_window"),
        ("progress", "status", "score", "score_reason"),
    ]
    readonly_fields = ["current_value", "progress", "status"]


@admin.register(Objective)
class ObjectiveAdmin(OrganizationScopedAdmin):
    organization_path = "cycle__organization"
    list_display = ["title", "cycle", "team", "owner", "priority", "state", "status", "progress"]
    list_filter = ["state", "status", "type", "outcome_kind", "cycle", "team"]
    list_select_related = ["cycle", "team", "owner", "priority"]
    search_fields = ["title", "description", "so_what"]
    autocomplete_fields = ["cycle", "owner", "team", "priority", "parent"]
    readonly_fields = ["progress", "expected_progress", "status", "last_check_in_at"]
    inlines = [KeyResultInline]


@admin.register(KeyResult)
class KeyResultAdmin(OrganizationScopedAdmin):
    organization_path = "objective__cycle__organization"
    list_display = [
        "title",
        "objective",
        "owner",
        "kind",
        "current_value",
        "target_value",
        "progress",
        "status",
    ]
    list_filter = ["kind", "unit", "status", "objective__cycle"]
    list_select_related = ["objective", "owner"]
    search_fields = ["title", "objective__title"]
    autocomplete_fields = ["objective", "owner"]
    readonly_fields = [
        "current_value",
        "attainment",
        "progress",
        "expected_progress",
        "status",
        "last_check_in_at",
    ]


@admin.register(CheckIn)
class CheckInAdmin(OrganizationScopedAdmin):
    organization_path = "key_result__objective__cycle__organization"
    list_display = [
        "key_result",
        "value",
        "previous_value",
        "confidence",
        "source",
        "author",
        "checked_in_at",
    ]
    list_filter = ["source", "checked_in_at"]
    list_select_related = ["key_result", "author"]
    search_fields = ["key_result__title", "note"]
    autocomplete_fields = ["key_result", "author"]
    readonly_fields = ["previous_value"]

    def has_change_permission(self, request, obj=None):
        # Check-ins are the audit trail of current values: they are added, never edited.
        return False

    def save_model(self, request, obj, form, change):
        from okrs import services

        created = services.check_in_create(
            key_result=obj.key_result,
            value=obj.value,
            confidence=obj.confidence,
            note=obj.note,
            author=request.user,
            checked_in_at=obj.checked_in_at,
        )
        obj.pk = created.pk


@admin.register(KeyResultSnapshot)
class KeyResultSnapshotAdmin(OrganizationScopedAdmin):
    organization_path = "key_result__objective__cycle__organization"
    list_display = ["key_result", "date", "value", "progress", "expected_progress", "status"]
    list_filter = ["status", "date"]
    list_select_related = ["key_result"]
    search_fields = ["key_result__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ObjectiveSnapshot)
class ObjectiveSnapshotAdmin(KeyResultSnapshotAdmin):
    organization_path = "objective__cycle__organization"
    list_display = ["objective", "date", "progress", "expected_progress", "status"]
    list_select_related = ["objective"]
    search_fields = ["objective__title"]


@admin.register(RollUp)
class RollUpAdmin(KeyResultSnapshotAdmin):
    organization_path = "cycle__organization"
    list_display = ["cycle", "team", "priority", "progress", "expected_progress", "status", "objective_count"]
    list_filter = ["status", "cycle"]
    list_select_related = ["cycle", "team", "priority"]
    search_fields = ["team__name", "priority__title"]
