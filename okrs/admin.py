"""The OKR admin. Every add, change and delete goes through okrs.services, as the pages and the API do."""

from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_base import SERVICE_ERRORS, ServiceAdmin, ServiceInline, service_error_text
from okrs import selectors, services
from okrs.choices import CycleState
from okrs.models import (
    CheckIn,
    Cycle,
    KeyResult,
    KeyResultSnapshot,
    Objective,
    ObjectiveSnapshot,
    ObjectiveStateChange,
    Priority,
    RollUp,
)
from okrs.services.resources import CYCLE_EDITABLE, PRIORITY_EDITABLE

KEY_RESULT_FIGURES = [
    "current_value",
    "attainment",
    "progress",
    "expected_progress",
    "status",
    "last_check_in_at",
]
KEY_RESULT_SCORE = ["score", "score_reason"]


@admin.register(Cycle)
class CycleAdmin(ServiceAdmin):
    list_display = ["name", "organization", "start", "end", "state"]
    list_filter = ["state", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    autocomplete_fields = ["organization"]
    date_hierarchy = "start"
    fields = ["organization", *CYCLE_EDITABLE, "closed_at"]
    actions = ["close_and_score"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return self.fields  # a closed cycle is read-only
        return ["closed_at"] if obj is None else ["organization", "closed_at"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Closing scores every key result: it is the "Close and score" action, never a plain edit.
        if db_field.name == "state":
            kwargs["choices"] = [choice for choice in CycleState.choices if choice[0] != CycleState.CLOSED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def service_create(self, request, form, fields):
        return services.cycle_create(**fields)

    def service_update(self, request, obj, fields):
        return services.cycle_update(cycle=obj, **fields)

    def service_delete(self, request, obj):
        services.cycle_delete(cycle=obj)

    @admin.action(permissions=["change"], description=gettext_lazy("Close and score the selected cycles"))
    def close_and_score(self, request, queryset):
        """Show every score closing would give; on confirmation, close each cycle through cycle_close."""
        cycles = list(queryset.order_by("start"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Close and score"),
                "opts": self.opts,
                "cycles": [(cycle, selectors.cycle_close_preview(cycle=cycle)) for cycle in cycles],
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            }
            return render(request, "okrs/admin_cycle_close.html", context)
        for cycle in cycles:
            try:
                services.cycle_close(cycle=cycle, user=request.user)
            except SERVICE_ERRORS as error:
                self.message_user(request, f"{cycle}: {service_error_text(error)}", messages.ERROR)
            else:
                self.message_user(request, _("%(cycle)s is closed and scored.") % {"cycle": cycle})
        return None


@admin.register(Priority)
class PriorityAdmin(ServiceAdmin):
    list_display = ["title", "order", "weight", "active", "owner", "organization"]
    list_filter = ["active", "organization"]
    list_select_related = ["organization", "owner"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["organization", "owner"]
    ordering = ["organization", "order"]
    fields = ["organization", *PRIORITY_EDITABLE]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["organization"]

    def service_create(self, request, form, fields):
        return services.priority_create(**fields)

    def service_update(self, request, obj, fields):
        return services.priority_update(priority=obj, **fields)

    def service_delete(self, request, obj):
        services.priority_delete(priority=obj)


class KeyResultInline(ServiceInline):
    model = KeyResult
    autocomplete_fields = ["owner", "kpi"]
    fields = [
        ("title", "owner"),
        ("kind", "unit"),
        ("start_value", "target_value", "current_value"),
        ("due_date", "weight", "confidence"),
        ("kpi", "kpi_window"),
        ("progress", "status", "score", "score_reason"),
    ]
    readonly_fields = ["current_value", "progress", "status", *KEY_RESULT_SCORE]

    def service_create(self, request, form, fields):
        objective = fields.pop("objective")  # the parent, set by the inline formset
        return services.key_result_create(objective=objective, user=request.user, **fields)

    def service_update(self, request, obj, fields):
        fields.pop("objective", None)
        return services.key_result_update(key_result=obj, user=request.user, **fields)

    def service_delete(self, request, obj):
        services.key_result_delete(key_result=obj, user=request.user)


@admin.register(Objective)
class ObjectiveAdmin(ServiceAdmin):
    organization_path = "cycle__organization"
    list_display = ["title", "cycle", "team", "owner", "priority", "state", "status", "progress"]
    list_filter = ["state", "status", "type", "outcome_kind", "cycle", "team"]
    list_select_related = ["cycle", "team", "owner", "priority"]
    search_fields = ["title", "description", "so_what"]
    autocomplete_fields = ["cycle", "owner", "team", "priority", "parent"]
    figures = ["progress", "expected_progress", "status", "score", "last_check_in_at", "closed_at"]
    fields = [*services.OBJECTIVE_EDITABLE, *figures]
    readonly_fields = figures
    inlines = [KeyResultInline]

    def get_inline_instances(self, request, obj=None):
        # Key results are added to a stored objective: save the objective first.
        return [] if obj is None else super().get_inline_instances(request, obj)

    def service_create(self, request, form, fields):
        return services.objective_create(user=request.user, **fields)

    def service_update(self, request, obj, fields):
        return services.objective_update(objective=obj, user=request.user, **fields)

    def service_delete(self, request, obj):
        services.objective_delete(objective=obj, user=request.user)


@admin.register(KeyResult)
class KeyResultAdmin(ServiceAdmin):
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
    autocomplete_fields = ["objective", "owner", "kpi"]
    fields = ["objective", *services.KEY_RESULT_EDITABLE, *KEY_RESULT_FIGURES, *KEY_RESULT_SCORE]

    def get_readonly_fields(self, request, obj=None):
        figures = [*KEY_RESULT_FIGURES, *KEY_RESULT_SCORE]
        return figures if obj is None else ["objective", *figures]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            # Left empty, a new key result is due at the end of its cycle.
            form.base_fields["due_date"].required = False
            form.base_fields["due_date"].help_text = KeyResult._meta.get_field("due_date").help_text
        return form

    def service_create(self, request, form, fields):
        return services.key_result_create(user=request.user, **fields)

    def service_update(self, request, obj, fields):
        return services.key_result_update(key_result=obj, user=request.user, **fields)

    def service_delete(self, request, obj):
        services.key_result_delete(key_result=obj, user=request.user)


@admin.register(CheckIn)
class CheckInAdmin(ServiceAdmin):
    """Check-ins are the audit trail of current values: added through check_in_create, never edited or
    deleted."""

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
    autocomplete_fields = ["key_result"]
    fields = ["key_result", "value", "confidence", "note", "checked_in_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.base_fields["checked_in_at"].required = False
            form.base_fields["checked_in_at"].help_text = _("Leave empty for now.")
        return form

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def service_create(self, request, form, fields):
        return services.check_in_create(author=request.user, **fields)


@admin.register(ObjectiveStateChange)
class ObjectiveStateChangeAdmin(ServiceAdmin):
    """The lifecycle's audit trail, written by the services: read-only."""

    organization_path = "objective__cycle__organization"
    list_display = ["objective", "from_state", "to_state", "user", "reason", "created_at"]
    list_filter = ["to_state", "created_at"]
    list_select_related = ["objective", "user"]
    search_fields = ["objective__title", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KeyResultSnapshot)
class KeyResultSnapshotAdmin(ObjectiveStateChangeAdmin):
    """Figures written by the recomputation: read-only."""

    organization_path = "key_result__objective__cycle__organization"
    list_display = ["key_result", "date", "value", "progress", "expected_progress", "status"]
    list_filter = ["status", "date"]
    list_select_related = ["key_result"]
    search_fields = ["key_result__title"]


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
