"""The pages people read: overview, alignment, teams, objectives, KPIs and their own OKRs.

Every page looks its data up through selectors scoped to `request.organization` (another
organization's object is a 404) and shows what the recomputation stored.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control

from accounts import selectors as account_selectors
from accounts.scoping import membership_required
from dashboards import charts, selectors
from kpis.choices import Direction, KpiUnit
from kpis.quality_text import issue_text
from okrs import selectors as okr_selectors
from okrs.forms import CheckInForm

CYCLE_SESSION_KEY = "dashboards.cycle_id"
UNIT_LABELS = {KpiUnit.PERCENT: "%", KpiUnit.DAYS: gettext_lazy("days"), KpiUnit.NUMBER: ""}


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _cycle_choice(request) -> selectors.CycleChoice:
    """The cycle of the page: `?cycle=` when given (and then remembered in the session), else the last one."""
    asked = _int(request.GET.get("cycle"))
    choice = selectors.cycle_choice(
        organization=request.organization, cycle_id=asked or request.session.get(CYCLE_SESSION_KEY)
    )
    if asked and choice.selected and choice.selected.pk == asked:
        request.session[CYCLE_SESSION_KEY] = asked
    return choice


def _with_check_in_forms(key_results: list) -> list:
    """Each key result row carries its own check-in form (no query: the form only reads the row)."""
    for key_result in key_results:
        key_result.check_in_form = CheckInForm(key_result=key_result)
    return key_results


@login_required
@membership_required
def overview(request):
    """Where the company stands against its priorities in the selected cycle."""
    choice = _cycle_choice(request)
    context = {"choice": choice, "cycle": choice.selected}
    if choice.selected:
        data = selectors.overview(organization=request.organization, cycle=choice.selected)
        rows = [row for row in data.priorities if row.rollup]
        context.update(overview=data)
        if rows:
            context["priority_figure"] = charts.priority_progress(
                title=_("Progress by priority, %(cycle)s") % {"cycle": choice.selected.name},
                names=[row.priority.title for row in rows],
                progress=[row.rollup.progress for row in rows],
                expected=[row.rollup.expected_progress for row in rows],
            )
    context.update(_kpi_strip(request))
    return render(request, "dashboards/overview.html", context)


@login_required
@membership_required
def alignment(request):
    """Priority → objectives → child objectives → key results, filtered by cycle, team and owner."""
    organization = request.organization
    choice = _cycle_choice(request)
    teams = list(account_selectors.team_list(organization=organization))
    owners = list(account_selectors.user_list(organization=organization))
    team = next((t for t in teams if t.pk == _int(request.GET.get("team"))), None)
    owner = next((o for o in owners if o.pk == _int(request.GET.get("owner"))), None)
    tree = []
    if choice.selected:
        tree = selectors.alignment_nodes(
            organization=organization,
            cycle=choice.selected,
            team=team,
            owner_id=owner.pk if owner else None,
        )
    context = {
        "choice": choice,
        "cycle": choice.selected,
        "tree": tree,
        "teams": teams,
        "owners": owners,
        "team": team,
        "owner": owner,
        "filtered": bool(team or owner),
    }
    return render(request, "dashboards/alignment.html", context)


@login_required
@membership_required
def team_list(request):
    choice = _cycle_choice(request)
    rows = selectors.team_rows(organization=request.organization, cycle=choice.selected)
    return render(
        request, "dashboards/team_list.html", {"choice": choice, "cycle": choice.selected, "rows": rows}
    )


@login_required
@membership_required
def team_detail(request, pk):
    """A team's objectives in the selected cycle, its roll-up, members and KPIs."""
    organization = request.organization
    team = get_object_or_404(account_selectors.team_list(organization=organization), pk=pk)
    choice = _cycle_choice(request)
    objectives = []
    if choice.selected:
        objectives = list(
            selectors.objectives_for_page(organization=organization, cycle=choice.selected, team=team)
        )
    context = {
        "choice": choice,
        "cycle": choice.selected,
        "team": team,
        "objectives": objectives,
        "rollup": selectors.team_rollup(team=team, cycle=choice.selected),
        "members": list(selectors.team_members(team=team)),
    }
    context.update(_team_kpis(request, team))
    return render(request, "dashboards/team_detail.html", context)


@login_required
@membership_required
def objective_detail(request, pk):
    """An objective: its key results with check-in forms, the so-what, history and progress chart."""
    objective = get_object_or_404(okr_selectors.objective_list(organization=request.organization), pk=pk)
    key_results = selectors.with_guardrails(selectors.with_weight_shares(list(objective.key_results.all())))
    history = selectors.objective_history(objective=objective)
    figure = None
    if history.dates:
        projection = None
        if objective.forecast_progress is not None and history.dates[-1] < objective.cycle.end:
            projection = charts.Projection(
                start=history.dates[-1],
                start_value=history.progress[-1],
                end=objective.cycle.end,
                value=objective.forecast_progress,
                low=objective.forecast_low,
                high=objective.forecast_high,
            )
        figure = charts.progress_over_time(
            title=_("Progress over time"),
            dates=history.dates,
            progress=history.progress,
            expected=history.expected,
            key_results=history.key_results,
            cycle=(objective.cycle.start, objective.cycle.end),
            projection=projection,
        )
    context = {
        "objective": objective,
        "key_results": _with_check_in_forms(key_results),
        "children": list(selectors.objective_children(objective=objective)),
        "check_ins": selectors.objective_check_ins(objective=objective),
        "figure": figure,
        "movers": selectors.movers(objective.movers, key_results),
    }
    return render(request, "dashboards/objective_detail.html", context)


@login_required
@membership_required
def my_okrs(request):
    """The signed-in person's key results in the selected cycle, overdue check-ins first."""
    choice = _cycle_choice(request)
    key_results = []
    if choice.selected:
        key_results = list(
            selectors.my_key_results(
                organization=request.organization, user=request.user, cycle=choice.selected
            )
        )
    context = {
        "choice": choice,
        "cycle": choice.selected,
        "key_results": _with_check_in_forms(key_results),
        "overdue_count": sum(kr.is_overdue for kr in key_results),
        "cadence_days": request.organization.check_in_cadence_days,
    }
    return render(request, "dashboards/my_okrs.html", context)


@cache_control(max_age=86400, public=True)
def favicon(request):
    """`/favicon.ico`, asked for by browsers and tools that do not read the pages' icon links."""
    return HttpResponseRedirect(static("favicon.ico"))


@login_required
@membership_required
def help_page(request):
    """How statuses are decided, with this organization's thresholds: no query beyond the session."""
    return render(request, "dashboards/help.html", {"organization": request.organization})


# KPIs -----------------------------------------------------------------------------------------------


def _kpi_strip(request) -> dict:
    return {"kpi_strip": selectors.kpi_strip(organization=request.organization)}


def _team_kpis(request, team) -> dict:
    return {"team_kpis": selectors.team_kpis(team=team)}


def _unit_label(kpi, organization) -> str:
    return organization.currency if kpi.unit == KpiUnit.CURRENCY else str(UNIT_LABELS.get(kpi.unit, ""))


@login_required
@membership_required
def kpi_scorecard(request):
    """Every KPI by family: latest value, target, status, change on the previous period, trend."""
    groups = selectors.kpi_scorecard(organization=request.organization)
    for group in groups:
        for kpi in group.kpis:
            kpi.sparkline = charts.sparkline_points([v.value for v in reversed(kpi.recent_values)])
    return render(request, "dashboards/kpi_scorecard.html", {"groups": groups})


@login_required
@membership_required
def kpi_detail(request, pk):
    """A KPI's series against its target, status bands and benchmark; what it serves; its runs."""
    kpi = selectors.kpi_get(organization=request.organization, pk=pk)
    if kpi is None:
        raise Http404("No such KPI in your organization.")
    detail = selectors.kpi_detail(kpi=kpi)
    figure = None
    if detail.values:
        complete = [v for v in detail.values if v.value is not None and not v.in_progress]
        projection = None
        if (
            kpi.forecast_value is not None
            and complete
            and kpi.forecast_period_start > complete[-1].period_start
        ):
            projection = charts.Projection(
                start=complete[-1].period_start,
                start_value=complete[-1].value,
                end=kpi.forecast_period_start,
                value=kpi.forecast_value,
                low=kpi.forecast_low,
                high=kpi.forecast_high,
            )
        figure = charts.kpi_series(
            title=_("%(kpi)s by %(cadence)s period")
            % {"kpi": kpi.name, "cadence": kpi.get_cadence_display().lower()},
            unit=_unit_label(kpi, request.organization),
            dates=[v.period_start for v in detail.values],
            values=[v.value for v in detail.values],
            targets=[kpi.target] * len(detail.values) if kpi.target is not None else [],
            benchmark=kpi.benchmark,
            bands=charts.kpi_bands(
                higher_is_better=kpi.direction == Direction.HIGHER_IS_BETTER,
                target=kpi.target,
                warning=kpi.warning_threshold,
                critical=kpi.critical_threshold,
            ),
            projection=projection,
            spans=[(i.start, i.end, i.title) for i in detail.initiatives],
        )
    context = {
        "kpi": kpi,
        "detail": detail,
        "figure": figure,
        "quality_issues": [issue_text(issue) for issue in kpi.quality_issues],
    }
    return render(request, "dashboards/kpi_detail.html", context)
