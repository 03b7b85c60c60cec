from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.scoping import membership_required
from okrs import selectors as okr_selectors
from portability import selectors
from portability.spreadsheets import csv_lines, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_response(lines, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _filename(request, what: str, extension: str = "csv") -> str:
    return f"{request.organization.slug}-{what}-{timezone.localdate().isoformat()}.{extension}"


@login_required
@membership_required
def kpi_scorecard_csv(request):
    """The KPI scorecard as a spreadsheet."""
    rows = selectors.kpi_scorecard_rows(organization=request.organization)
    return _csv_response(csv_lines(selectors.KPI_HEADER, rows), _filename(request, "kpis"))


@login_required
@membership_required
def kpi_scorecard_xlsx(request):
    """The KPI scorecard as an Excel workbook."""
    rows = selectors.kpi_scorecard_rows(organization=request.organization)
    content = xlsx_bytes([("KPIs", selectors.KPI_HEADER, rows)])
    return xlsx_response(content, _filename(request, "kpis", "xlsx"))


@login_required
@membership_required
def check_ins_csv(request):
    """Check-ins of the organization, or of one objective with ?objective=<id>."""
    objective = None
    if "objective" in request.GET:
        pk = request.GET["objective"]
        if not pk.isdigit():
            raise Http404("No such objective.")
        objective = get_object_or_404(okr_selectors.objective_list(organization=request.organization), pk=pk)
    rows = selectors.check_in_rows(organization=request.organization, objective=objective)
    what = f"objective-{objective.pk}-check-ins" if objective else "check-ins"
    return _csv_response(csv_lines(selectors.CHECK_IN_HEADER, rows), _filename(request, what))
