"""Comment pages: the thread of an objective (with its key results) or a KPI, loaded with htmx on their
pages (a page of its own without JavaScript); editing within 15 minutes, deleting, hiding; and the
members a person may @mention.

Every object is looked up in the request's organization (another organization's is a 404); the rules
are comments.services'.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import membership_required
from comments import selectors, services
from comments.forms import CommentEditForm, CommentForm
from common.exceptions import ApplicationError
from kpis import selectors as kpi_selectors
from okrs import selectors as okr_selectors
from okrs.forms import add_service_errors


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _target(request, target: str, pk: int):
    """The objective (with its key results) or KPI of a thread, in the request's organization."""
    if target == "objective":
        return get_object_or_404(okr_selectors.objective_list(organization=request.organization), pk=pk)
    return get_object_or_404(kpi_selectors.kpi_list(organization=request.organization), pk=pk)


def _target_url(comment) -> str:
    if comment.objective_id:
        return reverse("dashboards:objective-detail", args=[comment.objective_id]) + "#comments"
    return reverse("dashboards:kpi-detail", args=[comment.kpi_id]) + "#comments"


def _new_form(request, target: str, obj, data=None) -> CommentForm:
    key_results = list(obj.key_results.all()) if target == "objective" else None
    return CommentForm(data, key_results=key_results, mentions_url=reverse("comments:mention-suggestions"))


def _thread_context(request, target: str, obj, form=None) -> dict:
    """The comments with what this person may do with each: a fixed number of queries."""
    filters = {"objective": obj} if target == "objective" else {"kpi": obj}
    comments = list(selectors.comment_list(organization=request.organization, **filters))
    now, me, is_admin = timezone.now(), request.user.pk, request.membership.is_admin
    for comment in comments:
        mine = comment.author_id == me
        comment.shows_body = not comment.is_deleted and (not comment.is_hidden or is_admin)
        comment.can_edit = (
            mine
            and comment.shows_body
            and not comment.is_hidden
            and (now <= services.comment_editable_until(comment))
        )
        comment.can_delete = mine and not comment.is_deleted
        comment.can_hide = is_admin and not comment.is_deleted
    return {
        "target": target,
        "target_object": obj,
        "thread_url": reverse("comments:thread", args=[target, obj.pk]),
        "comments": comments,
        "form": form or _new_form(request, target, obj),
    }


def _render_thread(request, target, obj, form=None, status=200):
    context = _thread_context(request, target, obj, form)
    template = "comments/_thread.html" if _is_htmx(request) else "comments/thread.html"
    return render(request, template, context, status=status)


@login_required
@membership_required
def thread(request, target, pk):
    """The comments of an objective or a KPI; posting here adds one."""
    obj = _target(request, target, int(pk))
    if request.method != "POST":
        return _render_thread(request, target, obj)
    form = _new_form(request, target, obj, data=request.POST)
    if form.is_valid():
        key_result = None
        if form.cleaned_data.get("key_result"):
            key_result = next(kr for kr in obj.key_results.all() if kr.pk == form.cleaned_data["key_result"])
        fields = {"key_result": key_result} if key_result else {target: obj}
        try:
            comment = services.comment_create(author=request.user, body=form.cleaned_data["body"], **fields)
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
    if form.errors:
        return _render_thread(request, target, obj, form=form, status=400)
    if _is_htmx(request):
        return _render_thread(request, target, obj)
    messages.success(request, _("Comment posted."))
    return redirect(_target_url(comment))


def _comment(request, pk):
    return get_object_or_404(selectors.comment_list(organization=request.organization), pk=pk)


def _after_change(request, comment):
    """Back to the thread: the thread itself for htmx, else the page it sits on."""
    if not _is_htmx(request):
        return redirect(_target_url(comment))
    target, obj_id = ("objective", comment.objective_id) if comment.objective_id else ("kpi", comment.kpi_id)
    return _render_thread(request, target, _target(request, target, obj_id))


@login_required
@membership_required
def comment_edit(request, pk):
    """The author changes a comment within 15 minutes of posting it."""
    comment = _comment(request, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit a comment.")
    mentions_url = reverse("comments:mention-suggestions")
    form = CommentEditForm(request.POST or None, initial={"body": comment.body}, mentions_url=mentions_url)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(comment=comment, user=request.user, body=form.cleaned_data["body"])
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Comment saved."))
            return redirect(_target_url(comment))
    context = {"comment": comment, "form": form, "back_url": _target_url(comment)}
    return render(request, "comments/comment_edit.html", context, status=400 if form.errors else 200)


@login_required
@membership_required
@require_POST
def comment_delete(request, pk):
    """The author deletes a comment (at any time); it stays in the thread as deleted."""
    comment = _comment(request, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only the author can delete a comment.")
    services.comment_delete(comment=comment, user=request.user)
    if not _is_htmx(request):
        messages.success(request, _("Comment deleted."))
    return _after_change(request, comment)


@login_required
@membership_required
@require_POST
def comment_hide(request, pk):
    """An organization admin hides a comment, or shows it again (`hidden=0`)."""
    comment = _comment(request, pk)
    if not request.membership.is_admin:
        raise PermissionDenied("Only organization admins can hide comments.")
    services.comment_hide(comment=comment, user=request.user, hidden=request.POST.get("hidden", "1") != "0")
    return _after_change(request, comment)


@login_required
@require_GET
def mention_suggestions(request):
    """Members of the organization whose username or name starts with `q`, for @mention completion."""
    if request.membership is None:
        raise Http404("You are not a member of any organization.")
    people = selectors.mention_suggestions(
        organization=request.organization, query=request.GET.get("q", "")[:100]
    )
    return JsonResponse({"results": people})
