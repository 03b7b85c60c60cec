"""The CSV upload page for measurements. Validation and storage are kpis.services' (the same as the API)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.scoping import write_required
from kpis import services
from kpis.choices import MeasurementSource
from kpis.forms import MeasurementImportForm

TEMPLATE = "kpis/measurement_import.html"
SHOWN_ERRORS = 200


def import_csv(request, *, organization, file, source: str) -> tuple[object | None, dict]:
    """Run the import; on refusal, the context that lists every bad line (shared with the admin page)."""
    try:
        return services.measurements_import_csv(organization=organization, file=file, source=source), {}
    except (services.MeasurementsInvalid, services.IdempotencyConflict) as error:
        return None, {
            "error_message": error.message,
            "row_errors": error.errors[:SHOWN_ERRORS],
            "more_errors": max(0, len(error.errors) - SHOWN_ERRORS),
        }


def success_message(result) -> str:
    return _(
        "%(created)d measurements stored, %(replayed)d already present. "
        "KPI values update at the next recomputation (every few minutes)."
    ) % {"created": result.created, "replayed": result.replayed}


@login_required
@write_required
def measurement_import(request):
    """Upload a CSV file of measurements: all lines are stored, or none and every bad line is listed."""
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": MeasurementImportForm()})
    form = MeasurementImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    result, errors = import_csv(
        request,
        organization=request.organization,
        file=form.cleaned_data["file"],
        source=MeasurementSource.CSV,
    )
    if result is None:
        return render(request, TEMPLATE, {"form": MeasurementImportForm(), **errors}, status=400)
    messages.success(request, success_message(result))
    return redirect("kpis:measurement-import")
