"""Pages of insight: data quality, initiatives and business reviews.

They read what the recomputation stored; their forms go through insights.services (the same as the API).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.scoping import membership_required, write_required
from common.exceptions import ApplicationError
from common.forms import form_replayed, form_token_claim, form_token_done, form_token_release
from common.timezones import zone_or_utc
from insights import exports, selectors, services
from insights.forms import ActionItemForm, InitiativeForm, ReviewCreateForm, ReviewNotesForm
from kpis import selectors as kpi_selectors
from okrs.forms import add_service_errors
from portability.spreadsheets import csv_lines, xlsx_bytes
from portability.views import xlsx_response

# Data quality --------------------------------------------------------------------------------------


@login_required
@membership_required
def data_quality(request):
    """Every KPI's data quality, worst first, with what was found and what to do."""
    return render(
        request,
        "insights/data_quality.html",
        {"quality": selectors.data_quality(organization=request.organization)},
    )


# Initiatives ---------------------------------------------------------------------------------------


def _initiative_form(request, *, data=None, instance=None) -> InitiativeForm:
    organization = request.organization
    return InitiativeForm(
        data,
        instance=instance,
        initial=None if instance else {"owner": request.user.pk},
        owners=account_selectors.user_list(organization=organization, owners=True),
        teams=account_selectors.team_list(organization=organization).order_by("name"),
        key_results=selectors.open_key_results(organization=organization),
        kpis=kpi_selectors.kpi_list(organization=organization).order_by("name"),
    )


@login_required
@membership_required
def initiative_list(request):
    initiatives = selectors.initiative_list(organization=request.organization)
    return render(request, "insights/initiative_list.html", {"initiatives": initiatives})


@login_required
@membership_required
def initiative_detail(request, pk):
    """An initiative, and each linked KPI before and during it against its usual variation."""
    initiative = get_object_or_404(selectors.initiative_list(organization=request.organization), pk=pk)
    context = {"initiative": initiative, "impacts": selectors.impact_list(initiative=initiative)}
    return render(request, "insights/initiative_detail.html", context)


@login_required
@write_required
def initiative_create(request):
    form = _initiative_form(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if (replay := form_token_claim(form)) is not None:
            return form_replayed(request, replay, _("This initiative was already created."), "/initiatives/")
        try:
            initiative = services.initiative_create(organization=request.organization, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            form_token_release(form)
            add_service_errors(form, error)
        else:
            form_token_done(form, initiative.get_absolute_url())
            messages.success(request, _("Initiative created. Its KPIs are compared before and during it."))
            return redirect(initiative)
    status = 400 if form.errors else 200
    return render(request, "insights/initiative_form.html", {"form": form}, status=status)


@login_required
@write_required
def initiative_update(request, pk):
    initiative = get_object_or_404(selectors.initiative_list(organization=request.organization), pk=pk)
    form = _initiative_form(
        request, data=request.POST if request.method == "POST" else None, instance=initiative
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_update(initiative=initiative, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Initiative saved."))
            return redirect(initiative)
    status = 400 if form.errors else 200
    return render(
        request, "insights/initiative_form.html", {"form": form, "initiative": initiative}, status=status
    )


@login_required
@write_required
@require_POST
def initiative_delete(request, pk):
    initiative = get_object_or_404(selectors.initiative_list(organization=request.organization), pk=pk)
    services.initiative_delete(initiative=initiative)
    messages.success(request, _("Initiative deleted."))
    return redirect("insights:initiative-list")


# Business reviews ----------------------------------------------------------------------------------


def _today(request):
    return timezone.localtime(timezone.now(), zone_or_utc(request.organization.time_zone)).date()


@login_required
@membership_required
def review_list(request):
    """Past and open reviews, and a form to open a new one."""
    organization = request.organization
    teams = account_selectors.team_list(organization=organization).order_by("name")
    form = ReviewCreateForm(teams=teams, initial={"held_on": _today(request)})
    reviews = selectors.review_list(organization=organization)
    return render(request, "insights/review_list.html", {"reviews": reviews, "form": form})


@login_required
@write_required
@require_POST
def review_create(request):
    organization = request.organization
    teams = account_selectors.team_list(organization=organization).order_by("name")
    form = ReviewCreateForm(request.POST, teams=teams)
    if form.is_valid():
        if (replay := form_token_claim(form)) is not None:
            return form_replayed(request, replay, _("This review was already opened."), "/reviews/")
        try:
            review = services.review_create(organization=organization, user=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            form_token_release(form)
            add_service_errors(form, error)
        else:
            form_token_done(form, review.get_absolute_url())
            messages.success(request, _("Review opened, its agenda prepared from the latest figures."))
            return redirect(review)
    reviews = selectors.review_list(organization=organization)
    return render(request, "insights/review_list.html", {"reviews": reviews, "form": form}, status=400)


def _review(request, pk):
    return get_object_or_404(selectors.review_list(organization=request.organization), pk=pk)


def _action_form(request, *, data=None) -> ActionItemForm:
    organization = request.organization
    return ActionItemForm(
        data,
        owners=account_selectors.user_list(organization=organization, owners=True),
        key_results=selectors.open_key_results(organization=organization),
        kpis=kpi_selectors.kpi_list(organization=organization).order_by("name"),
    )


@login_required
@membership_required
def review_detail(request, pk):
    """The review's agenda, notes, decisions and action items; printable one section per page."""
    review = _review(request, pk)
    return render(request, "insights/review_detail.html", _review_context(request, review))


def _review_context(request, review, action_form=None) -> dict:
    return {
        "review": review,
        "agenda": exports.agenda_view(review.agenda),
        "items": selectors.review_action_items(review=review),
        "notes_form": ReviewNotesForm(instance=review),
        "action_form": action_form or _action_form(request),
    }


@login_required
@write_required
@require_POST
def review_notes(request, pk):
    review = _review(request, pk)
    form = ReviewNotesForm(request.POST, instance=review)
    if form.is_valid():
        try:
            services.review_update(review=review, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Notes and decisions saved."))
    return redirect(review)


@login_required
@write_required
@require_POST
def review_action(request, pk):
    """Close the review, or prepare its agenda again from the latest figures."""
    review = _review(request, pk)
    try:
        if request.POST.get("action") == "close":
            services.review_close(review=review)
            messages.success(request, _("Review closed. Open action items carry over to the next one."))
        else:
            services.review_prepare(review=review)
            messages.success(request, _("Agenda prepared again from the latest figures."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(review)


@login_required
@write_required
@require_POST
def action_item_create(request, pk):
    review = _review(request, pk)
    form = _action_form(request, data=request.POST)
    if form.is_valid():
        if (replay := form_token_claim(form)) is not None:
            return form_replayed(
                request, replay, _("This action item was already added."), review.get_absolute_url()
            )
        try:
            services.action_item_create(review=review, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            form_token_release(form)
            add_service_errors(form, error)
        else:
            form_token_done(form, review.get_absolute_url())
            messages.success(request, _("Action item added."))
            return redirect(review)
    return render(request, "insights/review_detail.html", _review_context(request, review, form), status=400)


@login_required
@write_required
@require_POST
def action_item_toggle(request, pk, item_pk):
    review = _review(request, pk)
    item = get_object_or_404(review.organization.action_items.all(), pk=item_pk)
    services.action_item_update(item=item, done=not item.done)
    return redirect(f"{review.get_absolute_url()}#action-items")


@login_required
@membership_required
def review_export(request, pk, extension):
    """The review (agenda and action items) as CSV or an Excel workbook."""
    review = _review(request, pk)
    sheets = exports.review_sheets(review, selectors.review_action_items(review=review))
    name = f"{request.organization.slug}-review-{review.held_on.isoformat()}"
    if extension == "xlsx":
        return xlsx_response(xlsx_bytes(sheets), f"{name}.xlsx")
    lines = (
        line
        for title, header, rows in sheets
        for line in csv_lines(["Section", *header], ([title, *row] for row in rows))
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
