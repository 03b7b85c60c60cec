"""Throttling per API token (per user for session requests, per address for anonymous ones).

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token"] (set by the API_THROTTLE_RATE
environment variable), read on every request so that a changed setting applies at once. A throttled
request is a 429 whose Retry-After header says how many seconds to wait.

Each counter is one cache key per identity and fixed window (the window's number is in the key), raised
atomically with `cache.add` then `cache.incr` (Redis INCR): concurrent requests can never read the same
count and let one extra through, so the limit is exact.

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
            return self._allow_atomically(request, view)
        except Exception as error:  # noqa: BLE001 - any cache failure: allow, never a 500
            logger.warning("API throttle skipped: the cache is unreachable (%s).", error)
            return True

    def _allow_atomically(self, request, view) -> bool:
        if self.rate is None or (key := self.get_cache_key(request, view)) is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.key = f"{key}:{window}"
        self.wait_seconds = (window + 1) * self.duration - now
        for _attempt in range(2):  # a second try when the key expires between add and incr
            self.cache.add(self.key, 0, timeout=int(self.duration) + 1)
            try:
                return self.cache.incr(self.key) <= self.num_requests
            except ValueError:
                continue
        return True

    def wait(self):
        return getattr(self, "wait_seconds", None)

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
