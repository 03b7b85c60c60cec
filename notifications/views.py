"""Pages: the inbox, a person's preferences, the organization's defaults and chat channels (admins),
and the follow button of an objective page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import admin_required, membership_required
from common.exceptions import ApplicationError
from notifications import selectors, services
from notifications.forms import DefaultsForm, PreferenceForm, TeamChannelForm

PAGE_SIZE = 50


def _add_error(form, error) -> None:
    if isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    else:
        form.add_error(None, error)


@login_required
@membership_required
def inbox(request):
    notifications = selectors.notification_list(user=request.user, organization=request.organization)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@membership_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(
        selectors.notification_list(user=request.user, organization=request.organization), pk=pk
    )
    services.notification_mark_read(notification=notification)
    return redirect("notifications:inbox")


@login_required
@membership_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user, organization=request.organization)
    if count:
        messages.success(request, _("Every notification is marked read."))
    return redirect("notifications:inbox")


@login_required
@membership_required
def preferences(request):
    stored = selectors.preference_for(user=request.user, organization=request.organization)
    form = PreferenceForm(request.POST or None, instance=stored)
    if request.method == "POST" and form.is_valid():
        try:
            if changes := form.changed_fields():
                services.preference_update(user=request.user, organization=request.organization, **changes)
        except (ApplicationError, ValidationError) as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    status = 400 if form.errors else 200
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


def _settings_page(request, defaults_form, channel_form, status=200):
    context = {
        "form": defaults_form,
        "channel_form": channel_form,
        "channels": selectors.team_channel_list(organization=request.organization),
    }
    return render(request, "notifications/settings.html", context, status=status)


@login_required
@admin_required
def organization_settings(request):
    """The organization's defaults, damping and mail limit; its teams' chat channels below."""
    defaults = selectors.defaults_for(organization=request.organization)
    form = DefaultsForm(request.POST or None, instance=defaults)
    channel_form = TeamChannelForm(organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            if changes := form.changed_fields():
                services.defaults_update(organization=request.organization, **changes)
        except (ApplicationError, ValidationError) as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The notification defaults are saved."))
            return redirect("notifications:notification-settings")
    return _settings_page(request, form, channel_form, status=400 if form.errors else 200)


@login_required
@admin_required
@require_POST
def channel_create(request):
    form = TeamChannelForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            services.team_channel_create(**form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            _add_error(form, error)
        else:
            messages.success(request, _("The chat channel is added."))
            return redirect("notifications:notification-settings")
    defaults_form = DefaultsForm(instance=selectors.defaults_for(organization=request.organization))
    return _settings_page(request, defaults_form, form, status=400)


@login_required
@admin_required
@require_POST
def channel_delete(request, pk):
    channel = get_object_or_404(selectors.team_channel_list(organization=request.organization), pk=pk)
    services.team_channel_delete(channel=channel)
    messages.success(request, _("The chat channel is removed."))
    return redirect("notifications:notification-settings")


@login_required
@membership_required
def objective_follow(request, pk):
    """The follow button of an objective page (loaded with htmx); POST toggles following."""
    objective = selectors.objective_for_follow(organization=request.organization, pk=pk)
    if objective is None:
        raise Http404("No such objective in your organization.")
    if request.method == "POST":
        if request.POST.get("follow") == "1":
            services.objective_follow(objective=objective, user=request.user)
        else:
            services.objective_unfollow(objective=objective, user=request.user)
        if request.headers.get("HX-Request") != "true":
            return redirect(objective)
    following = selectors.is_following(objective=objective, user=request.user)
    context = {"objective": objective, "following": following}
    return render(request, "notifications/_follow.html", context)
