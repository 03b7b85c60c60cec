"""Settings → Organization (admins), and the page where a person switches organization."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import OrganizationSettingsForm
from accounts.languages import language_activate, language_for_membership
from accounts.scoping import ORGANIZATION_SESSION_KEY, admin_required
from common.exceptions import ApplicationError


@login_required
@admin_required
def organization_settings(request):
    """Status rules, time zone, language and currency; saving refreshes every figure the rules affect."""
    organization = request.organization
    # The form validates a copy, so that the service still sees what is stored and knows what changed.
    form = OrganizationSettingsForm(request.POST or None, instance=copy.copy(organization))
    if request.method == "POST" and form.is_valid():
        try:
            if changes := form.changed_fields():
                services.organization_update(organization=organization, **changes)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # A new language applies at once, this message included (unless the person chose their own).
            language_activate(request, language_for_membership(request.membership))
            messages.success(request, _("The organization's settings are saved."))
            return redirect("accounts:organization-settings")
    context = {"form": form}
    return render(request, "accounts/organization_settings.html", context, status=400 if form.errors else 200)


@login_required
def organization_switch(request):
    """The organizations the person belongs to; choosing one keeps it for the rest of the session."""
    memberships = selectors.organization_switch_list(user=request.user)
    if request.method == "POST":
        chosen = request.POST.get("organization", "")
        membership = next(
            (m for m in memberships if chosen.isdigit() and m.organization_id == int(chosen)), None
        )
        if membership is None:
            raise Http404("You are not a member of this organization.")
        request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
        messages.success(
            request, _("You are now working in %(name)s.") % {"name": membership.organization.name}
        )
        return redirect("dashboards:overview")
    return render(request, "accounts/organization_switch.html", {"memberships": memberships})
