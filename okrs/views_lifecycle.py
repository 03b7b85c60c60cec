"""Pages of the OKR lifecycle: moving an objective through its states, reopening it, closing a cycle with
a preview of its scores, adjusting a score, and the quarter summary.

The rules live in okrs.lifecycle and the services; these views look objects up through selectors
(another organization's object is a 404), call a service and show its refusal next to what was asked.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import membership_required, write_required
from common.exceptions import ApplicationError
from okrs import charts, lifecycle, selectors, services
from okrs.choices import ObjectiveState
from okrs.forms import DecimalCommaField, TextAreaField, add_service_errors

# What the button that moves an objective into each state says.
TRANSITION_BUTTONS = {
    ObjectiveState.IN_REVIEW: gettext_lazy("Submit for review"),
    ObjectiveState.DRAFT: gettext_lazy("Back to draft"),
    ObjectiveState.ACTIVE: gettext_lazy("Activate"),
    ObjectiveState.CLOSED: gettext_lazy("Close objective"),
}


def admin_required(view):
    """A page only organization admins may use: editors and viewers are refused (403)."""

    @wraps(view)
    @membership_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            raise PermissionDenied("Only organization admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper


class TransitionForm(forms.Form):
    state = forms.ChoiceField(choices=ObjectiveState.choices)


class ReopenForm(forms.Form):
    reason = TextAreaField(
        label=gettext_lazy("Why reopen it?"),
        max_length=2000,
        help_text=gettext_lazy("Kept in the objective's history."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScoreForm(forms.Form):
    score = DecimalCommaField(
        label=gettext_lazy("Score (0.0–1.0)"), max_digits=3, decimal_places=2, min_value=0, max_value=1
    )
    reason = TextAreaField(
        label=gettext_lazy("Why does the score differ from the progress?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, key_result, **kwargs):
        kwargs.setdefault("auto_id", f"id_score{key_result.pk}_%s")
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"score": key_result.score, "reason": key_result.score_reason})
        super().__init__(*args, **kwargs)


# Objective lifecycle ---------------------------------------------------------------------------------


def _objective(request, pk):
    return get_object_or_404(selectors.objective_list(organization=request.organization), pk=pk)


def _lifecycle_context(request, objective, **extra) -> dict:
    """What the lifecycle panel shows: the moves this person may make, the history, the scores."""
    membership = request.membership
    cycle_open = not objective.cycle.is_closed
    next_states = lifecycle.objective_allowed_states(objective.state)[1:]
    if request.organization.review_required and objective.state == ObjectiveState.IN_REVIEW:
        # Its reviewers' approvals activate it; a button would only be refused.
        next_states = [state for state in next_states if state != ObjectiveState.ACTIVE]
    transitions = []
    if cycle_open and membership.can_write:
        transitions = [(state, TRANSITION_BUTTONS[state]) for state in next_states]
    key_results = list(objective.key_results.all())
    for key_result in key_results:
        key_result.can_adjust_score = (
            objective.state == ObjectiveState.CLOSED and key_result.owner_id == request.user.pk
        )
        key_result.score_form = ScoreForm(key_result=key_result) if key_result.can_adjust_score else None
    return {
        "objective": objective,
        "transitions": transitions,
        "can_reopen": objective.state == ObjectiveState.CLOSED and cycle_open and membership.is_admin,
        "reopen_form": extra.pop("reopen_form", None) or ReopenForm(),
        "state_changes": list(selectors.objective_state_changes(objective=objective)),
        "key_results": key_results,
        **extra,
    }


@login_required
@membership_required
@require_GET
def objective_lifecycle(request, pk):
    """The lifecycle panel of an objective page (loaded there with htmx), or a page of its own."""
    objective = _objective(request, pk)
    context = _lifecycle_context(request, objective)
    if request.headers.get("HX-Request") == "true":
        return render(request, "okrs/_objective_lifecycle_panel.html", context)
    return render(request, "okrs/objective_lifecycle.html", context)


def _refused(request, objective, error, **extra):
    """Show the lifecycle page again with the service's refusal; nothing was changed."""
    message = error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
    context = _lifecycle_context(request, objective, error=message, **extra)
    return render(request, "okrs/objective_lifecycle.html", context, status=400)


@login_required
@write_required
@require_POST
def objective_transition(request, pk):
    """Move an objective to the next state of its lifecycle (the service refuses any other move)."""
    objective = _objective(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _refused(request, objective, ApplicationError(_("Choose a state to move the objective to.")))
    previous = objective.get_state_display()
    try:
        objective = services.objective_update(objective=objective, user=request.user, **form.cleaned_data)
    except (ValidationError, ApplicationError) as error:
        return _refused(request, objective, error)
    messages.success(
        request,
        _("“%(objective)s” moved from %(previous)s to %(state)s.")
        % {"objective": objective.title, "previous": previous, "state": objective.get_state_display()},
    )
    return redirect(objective)


@login_required
@admin_required
@require_POST
def objective_reopen(request, pk):
    """An organization admin reopens a closed objective, saying why."""
    objective = _objective(request, pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            objective = services.objective_reopen(
                objective=objective, user=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
    if form.errors:
        context = _lifecycle_context(request, objective, reopen_form=form)
        return render(request, "okrs/objective_lifecycle.html", context, status=400)
    messages.success(request, _("“%(objective)s” is active again.") % {"objective": objective.title})
    return redirect(objective)


# Scores ------------------------------------------------------------------------------------------------


@login_required
@write_required
def key_result_score(request, pk):
    """The owner of a closed key result adjusts its score, with a reason."""
    key_result = get_object_or_404(selectors.key_result_list(organization=request.organization), pk=pk)
    if key_result.owner_id != request.user.pk:
        raise PermissionDenied("Only the key result's owner can adjust its score.")
    form = ScoreForm(request.POST or None, key_result=key_result)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_score_set(
                key_result=key_result,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Score of “%(kr)s” saved.") % {"kr": key_result.title})
            return redirect(key_result.objective)
    status = 400 if form.errors else 200
    context = {"key_result": key_result, "objective": key_result.objective, "form": form}
    return render(request, "okrs/key_result_score_form.html", context, status=status)


# Cycles ------------------------------------------------------------------------------------------------


def _cycle(request, pk):
    return get_object_or_404(selectors.cycle_list(organization=request.organization), pk=pk)


@login_required
@admin_required
def cycle_close(request, pk):
    """Preview the score of every objective and key result, then close the cycle for good."""
    cycle = _cycle(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.cycle_close(cycle=cycle, user=request.user)
        except (ValidationError, ApplicationError) as refusal:
            error = refusal.message if isinstance(refusal, ApplicationError) else " ".join(refusal.messages)
        else:
            messages.success(
                request, _("%(cycle)s is closed and its key results are scored.") % {"cycle": cycle.name}
            )
            return redirect("okrs:cycle-summary", pk=cycle.pk)
    objectives = selectors.cycle_close_preview(cycle=cycle)
    context = {
        "cycle": cycle,
        "objectives": objectives,
        "closing": [objective for objective in objectives if objective.closes],
        "unscored": [objective for objective in objectives if objective.preview_score is None],
        "error": error,
    }
    return render(request, "okrs/cycle_close.html", context, status=400 if error else 200)


@login_required
@membership_required
@require_GET
def cycle_summary(request, pk):
    """Per team, how the cycle's objectives scored, committed against 1.0 and aspirational against 0.7."""
    cycle = _cycle(request, pk)
    summary = selectors.quarter_summary(cycle=cycle)
    figure = None
    if summary.teams:
        label = _("provisional") if summary.provisional else _("final")
        figure = charts.quarter_scores(
            title=_("Mean objective score by team, %(cycle)s (%(label)s)")
            % {"cycle": cycle.name, "label": label},
            teams=[row.team.name if row.team else _("No team") for row in summary.teams],
            committed=[row.committed.mean for row in summary.teams],
            aspirational=[row.aspirational.mean for row in summary.teams],
            committed_expected=summary.total.committed.expected,
            aspirational_expected=summary.total.aspirational.expected,
        )
    context = {
        "cycle": cycle,
        "summary": summary,
        "figure": figure,
    }
    return render(request, "okrs/cycle_summary.html", context)
