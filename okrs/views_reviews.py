"""Pages of stakeholder review: an objective's reviewers, submitting it, and reviewers' decisions.

The review panel is loaded on the objective page with htmx (a page of its own without JavaScript). Its
forms post here; a refusal of the service shows the review page again with the reason, nothing changed.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import membership_required, write_required
from common.exceptions import ApplicationError
from okrs import selectors, selectors_reviews
from okrs.choices import ObjectiveState, ReviewDecisionKind
from okrs.forms import TextAreaField, add_service_errors
from okrs.services import reviews as review_services

User = get_user_model()


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class ReviewersForm(forms.Form):
    required = PersonChoiceField(
        label=gettext_lazy("Required reviewers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The objective becomes active once each of them has approved it."),
    )
    optional = PersonChoiceField(
        label=gettext_lazy("Optional reviewers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Asked for their view; activation does not wait for them."),
    )

    def __init__(self, *args, objective, organization, reviewers=(), **kwargs):
        if not args and "data" not in kwargs:
            kwargs["initial"] = {
                "required": [row.user.pk for row in reviewers if row.required],
                "optional": [row.user.pk for row in reviewers if not row.required],
            }
        super().__init__(*args, **kwargs)
        people = (
            User.objects.filter(memberships__organization=organization, memberships__active=True)
            .exclude(pk=objective.owner_id)
            .order_by("first_name", "last_name", "username")
        )
        self.fields["required"].queryset = people
        self.fields["optional"].queryset = people

    def clean(self):
        cleaned = super().clean()
        both = set(cleaned.get("required") or ()) & set(cleaned.get("optional") or ())
        if both:
            raise forms.ValidationError(
                _("Choose each person as a required or an optional reviewer, not both.")
            )
        return cleaned

    def pairs(self) -> list[tuple[object, bool]]:
        return [(user, True) for user in self.cleaned_data["required"]] + [
            (user, False) for user in self.cleaned_data["optional"]
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            (ReviewDecisionKind.APPROVE, gettext_lazy("Approve")),
            (ReviewDecisionKind.REQUEST_CHANGES, gettext_lazy("Request changes")),
        ],
        widget=forms.RadioSelect,
    )
    comment = TextAreaField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=review_services.COMMENT_MAX_LENGTH,
        help_text=gettext_lazy("Required when you request changes: say what should change."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == ReviewDecisionKind.REQUEST_CHANGES and not cleaned.get("comment"):
            self.add_error("comment", _("Say what should change."))
        return cleaned


def _objective(request, pk):
    return get_object_or_404(selectors.objective_list(organization=request.organization), pk=pk)


def _review_context(request, objective, **forms_given) -> dict:
    """What the review panel shows this person: the reviewers, the decisions, and what they may do."""
    summary = selectors_reviews.review_summary(objective=objective, organization=request.organization)
    membership = request.membership
    writable = membership.can_write and not objective.is_read_only
    is_draft = objective.state == ObjectiveState.DRAFT
    mine = next((row for row in summary.reviewers if row.user.pk == request.user.pk), None)
    may_decide = (
        objective.state == ObjectiveState.IN_REVIEW and mine is not None and not objective.is_read_only
    )
    context = {
        "objective": objective,
        "summary": summary,
        "can_edit_reviewers": writable and is_draft,
        "can_submit": writable and is_draft,
        "may_decide": may_decide,
        "my_review": mine,
    }
    if context["can_edit_reviewers"]:
        context["reviewers_form"] = forms_given.get("reviewers_form") or ReviewersForm(
            objective=objective, organization=request.organization, reviewers=summary.reviewers
        )
    if may_decide:
        context["decision_form"] = forms_given.get("decision_form") or DecisionForm()
    context["error"] = forms_given.get("error")
    return context


@login_required
@membership_required
@require_GET
def objective_review(request, pk):
    """The review panel of an objective page (loaded there with htmx), or a page of its own."""
    objective = _objective(request, pk)
    context = _review_context(request, objective)
    if request.headers.get("HX-Request") == "true":
        return render(request, "okrs/_review_panel.html", context)
    return render(request, "okrs/review.html", context)


def _refused(request, objective, **forms_given):
    context = _review_context(request, objective, **forms_given)
    return render(request, "okrs/review.html", context, status=400)


def _message(error) -> str:
    return error.message if isinstance(error, ApplicationError) else " ".join(error.messages)


@login_required
@write_required
@require_POST
def objective_reviewers(request, pk):
    """Choose a draft's required and optional reviewers."""
    objective = _objective(request, pk)
    form = ReviewersForm(request.POST, objective=objective, organization=request.organization)
    if form.is_valid():
        try:
            review_services.objective_reviewers_set(
                objective=objective, reviewers=form.pairs(), user=request.user
            )
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
    if form.errors:
        return _refused(request, objective, reviewers_form=form)
    messages.success(request, _("Reviewers of “%(objective)s” saved.") % {"objective": objective.title})
    return redirect(objective)


@login_required
@write_required
@require_POST
def objective_review_submit(request, pk):
    """Submit a draft for review: its reviewers are told."""
    objective = _objective(request, pk)
    try:
        review_services.objective_review_submit(objective=objective, user=request.user)
    except (ValidationError, ApplicationError) as error:
        return _refused(request, objective, error=_message(error))
    messages.success(request, _("“%(objective)s” is submitted for review.") % {"objective": objective.title})
    return redirect(objective)


@login_required
@membership_required
@require_POST
def objective_review_decide(request, pk):
    """A reviewer (of any role) approves the objective in review or requests changes."""
    objective = _objective(request, pk)
    form = DecisionForm(request.POST)
    decision = None
    if form.is_valid():
        try:
            decision = review_services.objective_review_decide(
                objective=objective, user=request.user, **form.cleaned_data
            )
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
    if form.errors:
        return _refused(request, objective, decision_form=form)
    objective = _objective(request, pk)
    if decision.decision == ReviewDecisionKind.REQUEST_CHANGES:
        text = _("You requested changes: “%(objective)s” is back to draft.")
    elif objective.state == ObjectiveState.ACTIVE:
        text = _("You approved “%(objective)s”: every required reviewer approved it, and it is active.")
    else:
        text = _("You approved “%(objective)s”.")
    messages.success(request, text % {"objective": objective.title})
    return redirect(objective)
