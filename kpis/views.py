"""Pages that change KPIs: the CSV upload of measurements, and creating and editing KPI definitions.

Validation and storage are kpis.services' (the same as the API); their refusals come back as form
errors next to the field.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.scoping import write_required
from common.exceptions import ApplicationError
from common.forms import form_replayed, form_token_claim, form_token_done, form_token_release
from kpis import selectors, services
from kpis.choices import MeasurementSource
from kpis.forms import GuardrailForm, KpiForm, MeasurementImportForm
from okrs import selectors as okr_selectors
from okrs.forms import add_service_errors

TEMPLATE = "kpis/measurement_import.html"
SHOWN_ERRORS = 200


def import_csv(
    request, *, organization, file, source: str, skip_existing: bool = False
) -> tuple[object | None, dict]:
    """Run the import; on refusal, the context that lists every bad line (shared with the admin page)."""
    try:
        result = services.measurements_import_csv(
            organization=organization, file=file, source=source, skip_existing=skip_existing
        )
        return result, {}
    except (services.MeasurementsInvalid, services.IdempotencyConflict) as error:
        return None, {
            "error_message": error.message,
            "row_errors": error.errors[:SHOWN_ERRORS],
            "more_errors": max(0, len(error.errors) - SHOWN_ERRORS),
        }


def success_message(result) -> str:
    return _(
        "%(created)d measurements stored, %(replayed)d already present. "
        "KPI values and the key results that follow them update within seconds."
    ) % {"created": result.created, "replayed": result.replayed}


def duplicates_message(result) -> str | None:
    """A warning when rows repeat measurements already stored (same KPI, timestamp and value)."""
    if result.skipped:
        return _(
            "%(n)d of the %(lines)d rows were already stored (same KPI, timestamp and value) and were "
            "skipped."
        ) % {"n": result.skipped, "lines": result.lines}
    if result.already_stored:
        return _(
            "%(n)d of the %(lines)d rows repeat measurements already stored (same KPI, timestamp and value) "
            "and were stored again. Keep “Skip rows already stored” checked to skip them."
        ) % {"n": result.already_stored, "lines": result.lines}
    return None


@login_required
@write_required
def measurement_import(request):
    """Upload a CSV file of measurements: all lines are stored, or none and every bad line is listed."""
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": MeasurementImportForm()})
    form = MeasurementImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    if form_token_claim(form) is not None:  # the same form sent again: imported once
        messages.info(request, _("This file was already imported."))
        return redirect("kpis:measurement-import")
    result, errors = import_csv(
        request,
        organization=request.organization,
        file=form.cleaned_data["file"],
        source=MeasurementSource.CSV,
        skip_existing=form.cleaned_data["skip_existing"],
    )
    if result is None:
        form_token_release(form)
        return render(request, TEMPLATE, {"form": MeasurementImportForm(), **errors}, status=400)
    form_token_done(form, request.path)
    messages.success(request, success_message(result))
    if warning := duplicates_message(result):
        messages.warning(request, warning)
    return redirect("kpis:measurement-import")


def _members(organization):
    """People of the organization: a KPI's owner must be one of them."""
    users = get_user_model().objects.filter(memberships__organization=organization)
    return users.order_by("first_name", "last_name", "username").distinct()


def _kpi_form(request, *, data=None, instance=None) -> KpiForm:
    organization = request.organization
    return KpiForm(
        data,
        instance=instance,
        owners=_members(organization),
        teams=account_selectors.team_list(organization=organization).order_by("name"),
        priorities=okr_selectors.priority_list(organization=organization),
        objectives=okr_selectors.objective_list(organization=organization)
        .prefetch_related(None)
        .order_by("-cycle__start", "title"),
    )


@login_required
@write_required
def kpi_create(request):
    """Define a KPI: measured, or computed from other KPIs of the organization."""
    form = _kpi_form(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            kpi = services.kpi_create(organization=request.organization, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("KPI created. Send its measurements through the API or a CSV file."))
            return redirect("dashboards:kpi-detail", kpi.pk)
    status = 400 if form.errors else 200
    return render(request, "kpis/kpi_form.html", {"form": form}, status=status)


@login_required
@write_required
def kpi_update(request, pk):
    """Change a KPI's definition; its periods are recomputed with the new definition."""
    kpi = get_object_or_404(selectors.kpi_list(organization=request.organization), pk=pk)
    form = _kpi_form(request, data=request.POST if request.method == "POST" else None, instance=kpi)
    if form.is_valid():
        # An untouched form changes nothing, not even the request to recompute the KPI's history.
        if not form.has_changed():
            messages.info(request, _("Nothing changed."))
            return redirect("dashboards:kpi-detail", kpi.pk)
        try:
            services.kpi_update(kpi=kpi, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("KPI saved. Its values are recomputed with the new definition."))
            return redirect("dashboards:kpi-detail", kpi.pk)
    status = 400 if form.errors else 200
    return render(request, "kpis/kpi_form.html", {"form": form, "kpi": kpi}, status=status)


@login_required
@write_required
def guardrail_create(request, key_result_pk):
    """Pair a key result with a guardrail KPI and a limit; it is evaluated before the page returns."""
    key_result = get_object_or_404(
        okr_selectors.key_result_list(organization=request.organization), pk=key_result_pk
    )
    kpis = (
        selectors.kpi_list(organization=request.organization).exclude(pk=key_result.kpi_id).order_by("name")
    )
    form = GuardrailForm(request.POST if request.method == "POST" else None, kpis=kpis)
    if request.method == "POST" and form.is_valid():
        if (replay := form_token_claim(form)) is not None:
            return form_replayed(
                request,
                replay,
                _("This guardrail was already added."),
                key_result.objective.get_absolute_url(),
            )
        try:
            guardrail = services.guardrail_create(key_result=key_result, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            form_token_release(form)
            add_service_errors(form, error)
        else:
            target = reverse("okrs:key-result-update", args=[key_result.pk]) + "#guardrails"
            form_token_done(form, target)
            if guardrail.breached:
                messages.warning(
                    request, _("Guardrail added. It is breached already: the KPI is past its limit.")
                )
            else:
                messages.success(request, _("Guardrail added."))
            return redirect(target)
    status = 400 if form.errors else 200
    context = {"form": form, "key_result": key_result}
    return render(request, "kpis/guardrail_form.html", context, status=status)


@login_required
@write_required
@require_POST
def guardrail_delete(request, pk):
    guardrail = get_object_or_404(selectors.guardrail_list(organization=request.organization), pk=pk)
    key_result_pk = guardrail.key_result_id
    services.guardrail_delete(guardrail=guardrail)
    messages.success(request, _("Guardrail removed."))
    return redirect(reverse("okrs:key-result-update", args=[key_result_pk]) + "#guardrails")
