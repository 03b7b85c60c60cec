"""Pages that change OKRs: check-ins, and creating and editing objectives and key results.

Every write goes through okrs.services, which validate with the model's full_clean exactly as for
the API; their refusals come back as form errors next to the field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.scoping import write_required
from common.exceptions import ApplicationError
from common.forms import IN_PROGRESS, form_replayed, form_token_claim, form_token_done, form_token_release
from okrs import selectors, services
from okrs.forms import CheckInForm, KeyResultForm, ObjectiveForm, add_service_errors

ROW_TEMPLATE = "okrs/_key_result_row.html"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


@login_required
@write_required
def check_in_create(request, pk):
    """A check-in on one key result: htmx swaps the row in place; without JavaScript, a plain page."""
    key_results = selectors.key_result_list(organization=request.organization)
    key_result = get_object_or_404(key_results, pk=pk)
    show_objective = request.POST.get("show_objective") == "1"
    if request.method != "POST":
        form = CheckInForm(key_result=key_result)
        return render(request, "okrs/check_in_form.html", {"form": form, "key_result": key_result})
    form = CheckInForm(request.POST, key_result=key_result)
    next_url = _next_url(request, key_result.objective.get_absolute_url())
    replay = form_token_claim(form) if form.is_valid() else None
    if form.is_valid() and replay is None:
        try:
            services.check_in_create(key_result=key_result, author=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            form_token_release(form)
            add_service_errors(form, error)
        else:
            form_token_done(form, next_url)
    if form.errors:
        template = ROW_TEMPLATE if _is_htmx(request) else "okrs/check_in_form.html"
        context = {"form": form, "key_result": key_result, "show_objective": show_objective, "open": True}
        return render(request, template, context, status=400)
    if not _is_htmx(request):
        if replay is None:
            messages.success(request, _("Check-in saved."))
        else:  # the same form sent again: its check-in was saved once
            messages.info(request, _("This check-in was already saved."))
        return redirect(replay if replay not in (None, IN_PROGRESS) else next_url)
    key_result = get_object_or_404(key_results.select_related("objective"), pk=pk)
    context = {
        "key_result": key_result,
        "form": CheckInForm(key_result=key_result),
        "show_objective": show_objective,
        "saved": True,
        "objective_summary": None if show_objective else key_result.objective,
    }
    return render(request, ROW_TEMPLATE, context)


def _objective_form(request, *, data=None, instance=None, initial=None) -> ObjectiveForm:
    organization = request.organization
    parents = selectors.objective_list(organization=organization).prefetch_related(None)
    if instance is not None:
        parents = parents.exclude(pk=instance.pk)
    return ObjectiveForm(
        data,
        instance=instance,
        initial=initial,
        cycles=selectors.cycle_list(organization=organization),
        owners=account_selectors.user_list(organization=organization, owners=True),
        teams=account_selectors.team_list(organization=organization),
        priorities=selectors.priority_list(organization=organization),
        parents=parents.order_by("cycle__start", "title"),
    )


@login_required
@write_required
def objective_create(request):
    if request.method == "POST":
        form = _objective_form(request, data=request.POST)
        if form.is_valid() and (replay := form_token_claim(form)) is not None:
            return form_replayed(request, replay, _("This objective was already created."), "/")
        if form.is_valid():
            try:
                objective = services.objective_create(**form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                form_token_release(form)
                add_service_errors(form, error)
            else:
                form_token_done(form, objective.get_absolute_url())
                messages.success(request, _("Objective created. Now add its key results."))
                return redirect(objective)
    else:
        initial = {
            "owner": request.user.pk,
            **{k: v for k, v in request.GET.items() if k in ("parent", "priority", "team", "cycle")},
        }
        form = _objective_form(request, initial=initial)
    status = 400 if form.errors else 200
    return render(request, "okrs/objective_form.html", {"form": form}, status=status)


@login_required
@write_required
def objective_update(request, pk):
    objective = get_object_or_404(selectors.objective_list(organization=request.organization), pk=pk)
    if request.method == "POST":
        form = _objective_form(request, data=request.POST, instance=objective)
        if form.is_valid():
            try:
                services.objective_update(objective=objective, **form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Objective saved."))
                return redirect(objective)
    else:
        form = _objective_form(request, instance=objective)
    status = 400 if form.errors else 200
    return render(request, "okrs/objective_form.html", {"form": form, "objective": objective}, status=status)


@login_required
@write_required
def key_result_create(request, pk):
    objective = get_object_or_404(selectors.objective_list(organization=request.organization), pk=pk)
    owners = account_selectors.user_list(organization=request.organization, owners=True)
    if request.method == "POST":
        form = KeyResultForm(
            request.POST, owners=owners, kpis=selectors.kpi_choices(organization=request.organization)
        )
        if form.is_valid() and (replay := form_token_claim(form)) is not None:
            return form_replayed(request, replay, _("This key result was already added."), objective)
        if form.is_valid():
            try:
                services.key_result_create(objective=objective, **form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                form_token_release(form)
                add_service_errors(form, error)
            else:
                form_token_done(form, objective.get_absolute_url())
                messages.success(request, _("Key result added."))
                return redirect(objective)
    else:
        form = KeyResultForm(
            owners=owners,
            kpis=selectors.kpi_choices(organization=request.organization),
            initial={"owner": request.user.pk, "due_date": objective.cycle.end},
        )
    status = 400 if form.errors else 200
    context = {"form": form, "objective": objective}
    return render(request, "okrs/key_result_form.html", context, status=status)


@login_required
@write_required
def key_result_update(request, pk):
    key_result = get_object_or_404(selectors.key_result_list(organization=request.organization), pk=pk)
    owners = account_selectors.user_list(organization=request.organization, owners=True)
    if request.method == "POST":
        form = KeyResultForm(
            request.POST,
            instance=key_result,
            owners=owners,
            kpis=selectors.kpi_choices(organization=request.organization),
        )
        if form.is_valid():
            try:
                services.key_result_update(key_result=key_result, **form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Key result saved."))
                return redirect(key_result.objective)
    else:
        form = KeyResultForm(
            instance=key_result, owners=owners, kpis=selectors.kpi_choices(organization=request.organization)
        )
    status = 400 if form.errors else 200
    context = {"form": form, "objective": key_result.objective, "key_result": key_result}
    return render(request, "okrs/key_result_form.html", context, status=status)
