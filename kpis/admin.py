from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.admin_base import OrganizationScopedAdmin, ServiceAdmin, ServiceModelForm
from accounts.models import Organization
from kpis import services, views
from kpis.choices import MeasurementSource
from kpis.forms import AdminMeasurementImportForm
from kpis.models import Kpi, KpiRun, KpiValue, Measurement
from kpis.services import definitions
from okrs.models import Objective, Priority


class KpiAdminForm(ServiceModelForm):
    class Meta:
        model = Kpi
        fields = ["organization", *definitions.EDITABLE, "priorities", "objectives"]


@admin.register(Kpi)
class KpiAdmin(ServiceAdmin):
    """KPI definitions through kpis.services, as on the KPI pages and the API. A KPI is archived (Active
    off), not deleted: deleting would drop its measurement history and unlink its key results."""

    form = KpiAdminForm
    list_display = [
        "code",
        "name",
        "family",
        "cadence",
        "aggregation",
        "unit",
        "target",
        "active",
        "organization",
    ]
    list_filter = ["family", "cadence", "aggregation", "active", "organization"]
    list_select_related = ["organization"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["organization", "owner", "team", "priorities", "objectives"]
    fieldsets = [
        (None, {"fields": ["organization", ("code", "name"), "family", "description", "active"]}),
        (_("Measurement"), {"fields": [("unit", "direction"), ("cadence", "aggregation"), "formula"]}),
        (
            _("Targets"),
            {"fields": [("target", "warning_threshold", "critical_threshold"), ("baseline", "benchmark")]},
        ),
        (_("Accountability"), {"fields": [("owner", "team"), "priorities", "objectives"]}),
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        organization = None if request.user.is_superuser else self._organization(request)
        if organization is not None and db_field.name == "priorities":
            kwargs["queryset"] = Priority.objects.filter(organization=organization)
        elif organization is not None and db_field.name == "objectives":
            kwargs["queryset"] = Objective.objects.filter(cycle__organization=organization)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["organization"]

    def has_delete_permission(self, request, obj=None):
        return False

    def service_create(self, request, form, fields):
        return services.kpi_create(**fields)

    def service_update(self, request, obj, fields):
        return services.kpi_update(kpi=obj, **fields)


class ReadOnlyAdmin(OrganizationScopedAdmin):
    """Rows written by services only: visible, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ["kpi", "timestamp", "value", "source", "idempotency_key", "received_at"]
    list_filter = ["source", "kpi__family"]
    list_select_related = ["kpi"]
    search_fields = ["kpi__code", "idempotency_key", "note"]
    date_hierarchy = "timestamp"
    show_full_result_count = False
    change_list_template = "kpis/admin_measurement_changelist.html"

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="kpis_measurement_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        """The CSV import of the upload page, for admins (a superuser chooses the organization)."""
        if not self._allowed(request):
            return redirect("admin:index")
        own = self._organization(request)
        organizations = (
            Organization.objects.all()
            if request.user.is_superuser
            else Organization.objects.filter(pk=getattr(own, "pk", None))
        )
        form = AdminMeasurementImportForm(
            request.POST or None, request.FILES or None, organizations=organizations
        )
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Import measurements")}
        if request.method == "POST" and form.is_valid():
            result, errors = views.import_csv(
                request,
                organization=form.cleaned_data["organization"],
                file=form.cleaned_data["file"],
                source=MeasurementSource.ADMIN,
            )
            if result is not None:
                self.message_user(request, views.success_message(result), messages.SUCCESS)
                return redirect(reverse("admin:kpis_measurement_changelist"))
            return render(request, "kpis/admin_measurement_import.html", {**context, **errors}, status=400)
        return render(request, "kpis/admin_measurement_import.html", context)


@admin.register(KpiValue)
class KpiValueAdmin(ReadOnlyAdmin):
    organization_path = "kpi__organization"
    list_display = ["kpi", "period_start", "value", "status", "change", "measurement_count", "computed_at"]
    list_filter = ["status", "kpi__cadence"]
    list_select_related = ["kpi"]
    search_fields = ["kpi__code", "kpi__name"]
    date_hierarchy = "period_start"


@admin.register(KpiRun)
class KpiRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "organization",
        "state",
        "full",
        "kpis_recomputed",
        "periods_recomputed",
        "key_results_synced",
        "duration",
    ]
    list_filter = ["state", "full", "organization"]
    list_select_related = ["organization"]
    search_fields = ["error", "organization__name"]
    date_hierarchy = "started_at"
    readonly_fields = [field.name for field in KpiRun._meta.fields]
