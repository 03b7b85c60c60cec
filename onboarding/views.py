"""The guided start: organization basics, the first cycle, company priorities, OKR templates and the
KPI catalog. The last two stay available later from the objectives and KPI pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.scoping import admin_required, membership_required
from common.exceptions import ApplicationError
from common.form_errors import add_service_errors
from kpis import catalog
from kpis import services as kpi_services
from okrs import okr_templates
from okrs import selectors as okr_selectors
from okrs import services as okr_services
from okrs.choices import CycleState
from onboarding import selectors
from onboarding.forms import (
    BasicsForm,
    CatalogForm,
    CycleChoiceForm,
    CycleForm,
    PriorityFormSet,
    TemplateForm,
)

STEPS = ["basics", "cycle", "priorities", "templates", "catalog"]
STEP_URLS = {
    "basics": "onboarding:basics",
    "cycle": "onboarding:cycle",
    "priorities": "onboarding:priorities",
    "templates": "onboarding:okr-templates",
    "catalog": "onboarding:kpi-catalog",
}


def _step_context(step: str) -> dict:
    titles = {
        "basics": _("Organization"),
        "cycle": _("First cycle"),
        "priorities": _("Priorities"),
        "templates": _("Objectives"),
        "catalog": _("KPIs"),
    }
    index = STEPS.index(step)
    steps = [
        {"key": key, "title": titles[key], "url": reverse(STEP_URLS[key]) + ("?setup=1" if n >= 3 else ""),
         "done": n < index, "current": n == index}
        for n, key in enumerate(STEPS)
    ]  # fmt: skip
    return {"steps": steps, "step_number": index + 1, "step_count": len(STEPS), "setup": True}


def _next(step: str):
    following = STEPS[STEPS.index(step) + 1] if step != STEPS[-1] else None
    if following is None:
        return redirect("onboarding:start")
    url = reverse(STEP_URLS[following])
    return redirect(url + "?setup=1" if following in ("templates", "catalog") else url)


def _open_cycles(organization):
    return (
        okr_selectors.cycle_list(organization=organization)
        .exclude(state=CycleState.CLOSED)
        .order_by("-start")
    )


def _chosen_cycle(request, cycles):
    """The cycle named in the query (?cycle=), else the current open one."""
    cycle_id = request.GET.get("cycle") or request.POST.get("cycle")
    if cycle_id and str(cycle_id).isdigit():
        chosen = next((cycle for cycle in cycles if cycle.pk == int(cycle_id)), None)
        if chosen is not None:
            return chosen
    active = [cycle for cycle in cycles if cycle.state == CycleState.ACTIVE]
    return (active or cycles or [None])[0]


@login_required
@admin_required
def start(request):
    """Where the guided start begins: the steps, what the organization has already, and a way to skip."""
    organization = request.organization
    cycle = okr_selectors.cycle_current(organization=organization)
    context = {
        "cycle": cycle,
        "priority_count": okr_selectors.priority_list(organization=organization).count(),
        "objective_count": cycle.objectives.count() if cycle else 0,
        "kpi_count": organization.kpis.count(),
        "steps": _step_context("basics")["steps"],
    }
    return render(request, "onboarding/start.html", context)


@login_required
@admin_required
def basics(request):
    organization = request.organization
    initial = {
        "time_zone": organization.time_zone,
        "currency": organization.currency,
        "language": organization.language,
    }
    form = BasicsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.organization_update(organization=organization, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            return _next("basics")
    status = 400 if form.errors else 200
    return render(request, "onboarding/basics.html", {"form": form, **_step_context("basics")}, status=status)


@login_required
@admin_required
def cycle(request):
    """The first cycle; suggested: the current quarter where the organization is, named in its language."""
    organization = request.organization
    cycles = list(_open_cycles(organization))
    with translation.override(organization.language):
        name, start, end = okr_templates.quarter_of(
            okr_services.organization_today(organization), organization.fiscal_year_start_month
        )
    form = CycleForm(request.POST or None, initial={"name": name, "start": start, "end": end})
    if request.method == "POST" and request.POST.get("keep"):
        return _next("cycle")
    if request.method == "POST" and form.is_valid():
        existing = (
            okr_selectors.cycle_list(organization=organization).filter(name=form.cleaned_data["name"]).first()
        )
        if existing is not None and existing.state != CycleState.CLOSED:
            return _next("cycle")  # running the set-up again adds nothing twice
        try:
            okr_services.cycle_create(organization=organization, state=CycleState.ACTIVE, **form.cleaned_data)
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            return _next("cycle")
    status = 400 if form.errors else 200
    context = {"form": form, "cycles": cycles, **_step_context("cycle")}
    return render(request, "onboarding/cycle.html", context, status=status)


@login_required
@admin_required
def priorities(request):
    """Company priorities: the guides' four suggestions, editable, with room for more."""
    organization = request.organization
    existing = list(okr_selectors.priority_list(organization=organization).order_by("order", "pk"))
    titles = {priority.title.casefold() for priority in existing}
    with translation.override(organization.language):
        suggestions = [
            {"include": True, "title": str(priority.title), "description": str(priority.description)}
            for priority in okr_templates.PRIORITIES
            if str(priority.title).casefold() not in titles
        ]
    initial = suggestions + [{"include": False, "title": "", "description": ""} for _n in range(2)]
    formset = PriorityFormSet(request.POST or None, initial=initial, prefix="priority")
    if request.method == "POST" and formset.is_valid():
        chosen = [form.cleaned_data for form in formset if form.cleaned_data.get("include")]
        try:
            for order, data in enumerate(chosen, start=len(existing)):
                if data["title"].strip().casefold() in titles:
                    continue
                titles.add(data["title"].strip().casefold())
                okr_services.priority_create(
                    organization=organization,
                    title=data["title"].strip(),
                    description=data["description"].strip(),
                    order=order,
                    owner=request.user,
                )
        except (ValidationError, ApplicationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            return _next("priorities")
    status = 400 if request.method == "POST" else 200
    context = {"formset": formset, "existing": existing, **_step_context("priorities")}
    return render(request, "onboarding/priorities.html", context, status=status)


def _template_forms(request, *, cycle, data=None) -> list[TemplateForm]:
    organization = request.organization
    membership = request.membership
    teams = account_selectors.team_list(organization=organization).order_by("name")
    if not membership.is_admin:
        teams = teams.filter(memberships=membership)
    teams = list(teams)
    owners = list(account_selectors.user_list(organization=organization, owners=True))
    priority_choices = list(okr_selectors.priority_list(organization=organization).filter(active=True))
    by_kind = {}
    for team in teams:
        by_kind.setdefault(team.kind, team)
    by_title = {priority.title.casefold(): priority for priority in priority_choices}
    forms = []
    with translation.override(organization.language):
        for template in okr_templates.TEMPLATES:
            suggested = okr_templates.priority_suggestion_get(template.priority_key)
            initial = {
                "title": str(template.title),
                "owner": request.user.pk,
                "team": getattr(by_kind.get(template.team_kind), "pk", None),
                "priority": getattr(by_title.get(str(suggested.title).casefold()), "pk", None),
            }
            for kr in template.key_results:
                initial.update({f"{kr.key}_include": True, f"{kr.key}_title": str(kr.title),
                                f"{kr.key}_start": kr.start, f"{kr.key}_target": kr.target})  # fmt: skip
            forms.append(
                TemplateForm(data, template=template, owners=owners, teams=teams, priorities=priority_choices,
                             initial=initial)
            )  # fmt: skip
    return forms


@login_required
@membership_required
def okr_templates_page(request):
    """The OKR guide's five objectives: choose, adapt (owner, team, key results and targets) and add."""
    organization = request.organization
    setup = request.GET.get("setup") == "1" and request.membership.is_admin
    cycles = list(_open_cycles(organization))
    chosen_cycle = _chosen_cycle(request, cycles)
    if request.method == "POST" and not request.membership.can_write:
        raise PermissionDenied("Viewers cannot change data.")
    cycle_form = CycleChoiceForm(request.POST or None, cycles=cycles,
                                 initial={"cycle": getattr(chosen_cycle, "pk", None)})  # fmt: skip
    data = request.POST if request.method == "POST" else None
    forms = _template_forms(request, cycle=chosen_cycle, data=data)
    if request.method == "POST" and cycle_form.is_valid():
        chosen_cycle = cycle_form.cleaned_data["cycle"]
        added = _templates_add(request, cycle=chosen_cycle, forms=forms)
        if added is not None:
            if added:
                messages.success(request, _("%(count)s objectives added.") % {"count": added})
            if setup:
                return _next("templates")
            return redirect(f"{reverse('onboarding:okr-templates')}?cycle={chosen_cycle.pk}")
    existing = selectors.template_objectives(organization=organization, cycle=chosen_cycle)
    rows = [{"form": form, "objective": existing.get(form.template.key)} for form in forms]
    context = {
        "rows": rows,
        "cycle_form": cycle_form,
        "cycle": chosen_cycle,
        "is_setup": setup,
        **(_step_context("templates") if setup else {}),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "onboarding/okr_templates.html", context, status=status)


def _templates_add(request, *, cycle, forms) -> int | None:
    """Add the chosen templates; the number added, or None when a form has errors."""
    if not all(form.is_valid() for form in forms):
        return None
    membership = request.membership
    added = 0
    for form in forms:
        if not form.cleaned_data.get("add"):
            continue
        arguments = form.service_arguments()
        if not membership.is_admin and arguments["team"] is None:
            form.add_error("team", _("Choose one of your teams."))
            return None
        try:
            okr_services.objective_from_template(
                organization=request.organization, user=request.user, cycle=cycle, **arguments
            )
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
            return None
        added += 1
    return added


@login_required
@membership_required
def kpi_catalog(request):
    """The KPI catalog: browse by family, objective or priority; add the chosen KPIs in one step, each
    linked to the cycle's objectives (from templates) it measures."""
    organization = request.organization
    setup = request.GET.get("setup") == "1" and request.membership.is_admin
    group = request.GET.get("group") if request.GET.get("group") in selectors.GROUPS else "family"
    cycles = list(_open_cycles(organization))
    chosen_cycle = _chosen_cycle(request, cycles)
    if request.method == "POST" and not request.membership.can_write:
        raise PermissionDenied("Viewers cannot change data.")
    form = CatalogForm(request.POST or None, cycles=cycles, codes=list(catalog.BY_CODE),
                       initial={"cycle": getattr(chosen_cycle, "pk", None)})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        chosen_cycle = form.cleaned_data["cycle"]
        try:
            count = _catalog_add(request, cycle=chosen_cycle, codes=form.cleaned_data["codes"])
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(count)s KPIs added from the catalog.") % {"count": count})
            if setup:
                return finish(request)
            return redirect(f"{reverse('onboarding:kpi-catalog')}?cycle={chosen_cycle.pk}&group={group}")
    rows = selectors.catalog_rows(organization=organization, cycle=chosen_cycle)
    context = {
        "form": form,
        "groups": selectors.catalog_groups(rows, group=group),
        "group": group,
        "group_choices": selectors.GROUPS,
        "cycle": chosen_cycle,
        "cycles": cycles,
        "is_setup": setup,
        **(_step_context("catalog") if setup else {}),
    }
    status = 400 if form.errors else 200
    return render(request, "onboarding/kpi_catalog.html", context, status=status)


def _catalog_add(request, *, cycle, codes: list[str]) -> int:
    """Add the chosen KPIs, each linked to the cycle's template objectives it measures."""
    objectives = selectors.template_objectives(organization=request.organization, cycle=cycle)
    before = request.organization.kpis.filter(code__in=codes).count()
    for code in codes:
        served = [objectives[key] for key in catalog.BY_CODE[code].templates if key in objectives]
        kpi_services.kpis_from_catalog(organization=request.organization, user=request.user, codes=[code],
                                       objectives=served)  # fmt: skip
    return len(set(codes)) - before


@login_required
@admin_required
@require_POST
def finish(request):
    account_services.organization_setup_complete(organization=request.organization)
    messages.success(request, _("Your organization is set up. Check in on key results as the cycle goes."))
    return redirect("dashboards:overview")


@login_required
@admin_required
@require_POST
def skip(request):
    account_services.organization_setup_complete(organization=request.organization)
    messages.info(
        request,
        _("Set-up skipped. The OKR templates and the KPI catalog stay on the objectives and KPI pages."),
    )
    return redirect("dashboards:overview")
