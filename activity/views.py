"""The history page of an objective (with its key results) or a KPI: loaded with htmx on their pages, a
page of its own without JavaScript. It stays readable after the objective or KPI is deleted; another
organization's object, like one that never existed, is a 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.scoping import membership_required
from activity import selectors


@login_required
@membership_required
@require_GET
def timeline(request, target, pk):
    organization, pk = request.organization, int(pk)
    subject = selectors.subject_get(organization=organization, target=target, pk=pk)
    if target == "objective":
        entries = selectors.objective_timeline(organization=organization, objective_id=pk)
    else:
        entries = selectors.kpi_timeline(organization=organization, kpi_id=pk)
    own = [entry for entry in entries if entry.object_type == target and entry.object_id == pk]
    if subject is None and not own:
        raise Http404("No such objective or KPI in your organization.")
    context = {
        "target": target,
        "subject": subject,
        "subject_name": str(subject) if subject else own[0].object_repr,
        "entries": entries,
        "truncated": len(entries) >= selectors.TIMELINE_LENGTH,
    }
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "activity/_timeline.html" if partial else "activity/timeline.html", context)
