"""Settings → Members: organization admins invite people, change roles and teams, deactivate members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import InvitationForm, MembershipForm
from accounts.scoping import admin_required
from common.exceptions import ApplicationError
from common.people import person_name


def _member_page(request, invitation_form, status=200):
    context = {
        "members": selectors.member_list(organization=request.organization),
        "invitations": selectors.invitation_list(organization=request.organization).pending(),
        "form": invitation_form,
        "now": timezone.now(),
    }
    return render(request, "accounts/member_list.html", context, status=status)


def _add_service_error(form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
@admin_required
def member_list(request):
    return _member_page(request, InvitationForm(organization=request.organization))


@login_required
@admin_required
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=request.organization, invited_by=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            _add_service_error(form, error)
        else:
            _report_sending(request, invitation)
            return redirect("accounts:member-list")
    return _member_page(request, form, status=400)


def _report_sending(request, invitation) -> None:
    if invitation.sent_at is not None:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    else:
        messages.warning(
            request,
            _(
                "The invitation to %(email)s is saved, but the mail could not be sent: "
                "check the mail settings, then resend it."
            )
            % {"email": invitation.email},
        )


@login_required
@admin_required
def member_edit(request, pk):
    membership = get_object_or_404(selectors.member_list(organization=request.organization), pk=pk)
    form = MembershipForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            if changes := form.changed_fields():
                services.membership_update(membership=membership, **changes)
        except ApplicationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("%(person)s is updated.") % {"person": person_name(membership.user)})
            return redirect("accounts:member-list")
    context = {"member": membership, "form": form}
    return render(request, "accounts/member_edit.html", context, status=400 if form.errors else 200)


def _set_active(request, pk, active: bool, done: str):
    membership = get_object_or_404(selectors.member_list(organization=request.organization), pk=pk)
    try:
        services.membership_update(membership=membership, active=active)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"person": person_name(membership.user)})
    return redirect("accounts:member-list")


@login_required
@admin_required
@require_POST
def member_deactivate(request, pk):
    return _set_active(request, pk, False, _("%(person)s is deactivated and can no longer sign in here."))


@login_required
@admin_required
@require_POST
def member_reactivate(request, pk):
    return _set_active(request, pk, True, _("%(person)s is active again."))


@login_required
@admin_required
@require_POST
def invitation_resend(request, pk):
    invitation = get_object_or_404(selectors.invitation_list(organization=request.organization), pk=pk)
    try:
        invitation = services.invitation_resend(invitation=invitation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _report_sending(request, invitation)
    return redirect("accounts:member-list")


@login_required
@admin_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(selectors.invitation_list(organization=request.organization), pk=pk)
    try:
        services.invitation_revoke(invitation=invitation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is revoked; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("accounts:member-list")
