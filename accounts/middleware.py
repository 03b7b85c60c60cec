from accounts.languages import language_activate, language_for_membership
from accounts.scoping import membership_for_request


class OrganizationMiddleware:
    """Sets request.membership and request.organization for a signed-in person (one query).

    The organization is the one the person chose from the menu (kept in the session), else their
    oldest active membership's. API requests authenticated by a token are resolved again by
    accounts.api once DRF has authenticated them; both paths use the same `membership_for_user`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = membership_for_request(request)
        request.organization = request.membership.organization if request.membership else None
        return self.get_response(request)


class LanguageMiddleware:
    """A signed-in person reads pages in their own language, else their organization's (no query: the
    membership carries both). Anonymous visitors keep what LocaleMiddleware chose: the language
    cookie, else the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language_activate(request, language_for_membership(getattr(request, "membership", None)))
        return self.get_response(request)
