"""Response headers every page shares."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store` on what a signed-in person sees and on every API answer.

    A shared computer's browser cache or a proxy then keeps no copy of an organization's figures.
    Static files never reach this middleware (WhiteNoise answers them first), and anonymous pages such
    as the login page stay cacheable as Django leaves them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True)
        return response
