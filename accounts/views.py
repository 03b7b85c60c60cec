"""The settings page where a person creates and revokes their personal API tokens."""

from datetime import UTC, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenForm

NEW_TOKEN_SESSION_KEY = "accounts.new_api_token"


@login_required
def token_list(request):
    """List the person's tokens; a valid POST creates one, shown on the next page this once.

    Post/redirect/get: the new token travels in the session and is removed when shown, so that
    reloading the page neither shows it again nor creates a second token.
    """
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            expires_on = form.cleaned_data["expires_on"]
            expires_at = datetime.combine(expires_on, time.min, tzinfo=UTC) if expires_on else None
            _token, raw = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], expires_at=expires_at
            )
            request.session[NEW_TOKEN_SESSION_KEY] = raw
            return redirect("accounts:token-list")
    context = {
        "form": form,
        "tokens": selectors.api_token_list(user=request.user),
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        "now": timezone.now(),
    }
    return render(request, "accounts/token_list.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(selectors.api_token_list(user=request.user), pk=pk)
    services.api_token_revoke(token=token)
    messages.success(
        request, _("The token “%(name)s” is revoked; it no longer works.") % {"name": token.name}
    )
    return redirect("accounts:token-list")
