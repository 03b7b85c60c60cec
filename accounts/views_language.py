"""The language switcher in the menu: a signed-in person's choice is their preference (pages and mail,
in every organization); an anonymous visitor's is kept in the language cookie."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services
from accounts.languages import SUPPORTED

ORGANIZATION_DEFAULT = ""


@require_POST
def language_set(request):
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in SUPPORTED and language != ORGANIZATION_DEFAULT:
        return response
    if request.user.is_authenticated:
        services.profile_language_set(user=request.user, language=language)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 60 * 60,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
