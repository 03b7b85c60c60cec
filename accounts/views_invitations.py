"""The page an invitation link opens: choose a password (or sign in) and join the organization."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.choices import InvitationState
from accounts.forms import InvitationAcceptForm
from accounts.scoping import ORGANIZATION_SESSION_KEY
from common.exceptions import ApplicationError

NOT_VALID = _(
    "This invitation link is not valid. Check that you opened the whole link from the mail, "
    "or ask an admin of the organization to send it again."
)


def invitation_accept(request, token):
    invitation = selectors.invitation_for_token(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", {"message": NOT_VALID}, status=404)
    state = invitation.state(timezone.now())
    if state != InvitationState.PENDING:
        message = services.INVITATION_REFUSALS[state]
        return render(request, "accounts/invitation_invalid.html", {"message": message}, status=410)
    existing = selectors.user_for_email(email=invitation.email)
    if existing is not None:
        return _accept_as_existing_user(request, invitation, existing)
    if request.user.is_authenticated:
        context = {"invitation": invitation, "other_user": True}
        return render(request, "accounts/invitation_join.html", context, status=403)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["new_password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error("new_password2", error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _welcome(request, membership)
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation_accept.html", context, status=400 if form.errors else 200)


def _accept_as_existing_user(request, invitation, existing):
    """A person who already has an account signs in with it, then joins with one click."""
    context = {"invitation": invitation, "existing": existing}
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation_join.html", context)
    if request.user.pk != existing.pk:
        return render(request, "accounts/invitation_join.html", {**context, "other_user": True}, status=403)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return _welcome(request, membership)
    return render(request, "accounts/invitation_join.html", context)


def _welcome(request, membership):
    request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
    messages.success(
        request,
        _("Welcome to %(organization)s! Your role: %(role)s.")
        % {"organization": membership.organization.name, "role": membership.get_role_display()},
    )
    return redirect("dashboards:overview")
