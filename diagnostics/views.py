"""The RevOps diagnostic: members take it and read the results of their organization; when an
organization opens it to the public, anyone may take it at /diagnostic/ and then start an organization.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import Organization
from accounts.scoping import membership_required, write_required
from common.exceptions import ApplicationError
from common.form_errors import add_service_errors
from diagnostics import charts, rules, selectors, services
from diagnostics.forms import DiagnosticForm, SignupForm
from diagnostics.questions import AREAS

SESSION_KEY = "diagnostics.public_answers"


def _result_context(scores: rules.Scores) -> dict:
    rows = selectors.area_rows(scores)
    return {
        "scores": scores,
        "rows": rows,
        "radar": charts.maturity_radar(
            names=[str(r["area"].name) for r in rows], scores=[r["score"] for r in rows]
        ),
        "recommendations": selectors.recommendations(scores),
    }


@login_required
@membership_required
def diagnostic_list(request):
    """Past diagnostics of the organization and each area's trend across them."""
    diagnostics = list(selectors.diagnostic_list(organization=request.organization))
    oldest_first = diagnostics[::-1]
    trend = None
    if len(oldest_first) > 1:
        trend = charts.maturity_trend(
            dates=[d.created_at.date() for d in oldest_first],
            series={str(area.name): [d.area_scores.get(area.key, 0) for d in oldest_first] for area in AREAS},
        )
    rows = [(d, [d.area_scores.get(area.key, "–") for area in AREAS]) for d in diagnostics]
    context = {"rows": rows, "trend": trend, "areas": AREAS}
    return render(request, "diagnostics/list.html", context)


@login_required
@write_required
def diagnostic_take(request):
    form = DiagnosticForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            diagnostic = services.diagnostic_create(
                organization=request.organization, author=request.user, answers=form.answers()
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Diagnostic saved. Here is where your organization stands."))
            return redirect("diagnostics:detail", pk=diagnostic.pk)
    context = {"form": form, "groups": _grouped(form)}
    return render(request, "diagnostics/take.html", context, status=400 if form.errors else 200)


@login_required
@membership_required
def diagnostic_detail(request, pk: int):
    diagnostic = get_object_or_404(selectors.diagnostic_list(organization=request.organization), pk=pk)
    context = {"diagnostic": diagnostic, **_result_context(selectors.scores_of(diagnostic))}
    return render(request, "diagnostics/detail.html", context)


@require_POST
@login_required
@write_required
def recommendation_add(request, pk: int):
    diagnostic = get_object_or_404(selectors.diagnostic_list(organization=request.organization), pk=pk)
    kind, key = request.POST.get("kind", ""), request.POST.get("key", "")
    try:
        added = services.recommendation_add(
            organization=request.organization, user=request.user, kind=kind, key=key
        )
    except (ApplicationError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or " ".join(getattr(error, "messages", [])))
    else:
        messages.success(
            request, _("“%(name)s” is added.") % {"name": getattr(added, "title", None) or added.name}
        )
    return redirect("diagnostics:detail", pk=diagnostic.pk)


def _grouped(form) -> list[dict]:
    return [
        {"area": group["area"], "fields": [form[q.key] for q in group["questions"]]}
        for group in selectors.questionnaire()
    ]


# The public diagnostic -------------------------------------------------------------------------------


def _public_host(request) -> Organization | None:
    """404 unless some organization opens the diagnostic; the one named by ?via= when it does."""
    hosts = Organization.objects.filter(public_diagnostic=True)
    if not hosts.exists():
        raise Http404("The diagnostic is not open to the public.")
    via = request.GET.get("via") or request.session.get(SESSION_KEY + ".via")
    return hosts.filter(slug=via).first() if via else None


def public_take(request):
    host = _public_host(request)
    form = DiagnosticForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.answers()
        request.session[SESSION_KEY + ".via"] = host.slug if host else ""
        return redirect("diagnostic-public-result")
    context = {"form": form, "groups": _grouped(form), "host": host, "public": True}
    return render(request, "diagnostics/take.html", context, status=400 if form.errors else 200)


def _public_scores(request) -> rules.Scores | None:
    answers = request.session.get(SESSION_KEY)
    if not answers or rules.unanswered(answers):
        return None
    return rules.scores_compute(answers)


def public_result(request):
    host = _public_host(request)
    scores = _public_scores(request)
    if scores is None:
        return redirect("diagnostic-public")
    form = SignupForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization, user = account_services.organization_signup(
                name=data["organization_name"],
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["language"],
            )
            services.diagnostic_create(
                organization=organization, author=user, answers=request.session[SESSION_KEY]
            )
        except (ApplicationError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request,
                _("Welcome to Rumbo. Your diagnostic is saved in %(name)s.") % {"name": organization.name},
            )
            return redirect("onboarding:start")
    context = {"host": host, "form": form, "public": True, **_result_context(scores)}
    return render(request, "diagnostics/public_result.html", context, status=400 if form.errors else 200)


def public_summary(request):
    """The result as a self-contained HTML file the prospect keeps."""
    _public_host(request)
    scores = _public_scores(request)
    if scores is None:
        return redirect("diagnostic-public")
    html = render_to_string(
        "diagnostics/summary.html", {**_result_context(scores), "date": timezone.localdate()}, request=None
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="revops-diagnostic.html"'
    return response
