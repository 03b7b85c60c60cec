"""Throttling per API token (per user for session requests, per address for anonymous ones).

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token"] (set by the API_THROTTLE_RATE
environment variable), read on every request so that a changed setting applies at once. A throttled
request is a 429 whose Retry-After header says how many seconds to wait.

The counters live in the cache (Redis in production). A cache that cannot be reached lets the request
through and logs a warning: throttling degrades open rather than turning every API call into a 500.
"""

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken

logger = logging.getLogger(__name__)


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - any cache failure: allow, never a 500
            logger.warning("API throttle skipped: the cache is unreachable (%s).", error)
            return True

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
