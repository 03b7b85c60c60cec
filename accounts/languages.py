"""Which language a person reads Rumbo in: their own preference, else their organization's, else the
browser's (Accept-Language, or the language cookie an anonymous visitor chose from the menu).

Pages apply it in LanguageMiddleware, the API once DRF has authenticated the request (an API client
that sends Accept-Language gets that language), and mail through `language_for_user`.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for_membership(membership) -> str | None:
    """The person's preference, else the organization's language; None without a membership."""
    if membership is None:
        return None
    preference = getattr(membership, "person_language", None) or ""
    if preference in SUPPORTED:
        return preference
    language = membership.organization.language
    return language if language in SUPPORTED else None


def language_activate(request, language: str | None) -> None:
    """Make `language` the request's language (when it is one Rumbo speaks)."""
    if language in SUPPORTED:
        translation.activate(language)
        request.LANGUAGE_CODE = language
