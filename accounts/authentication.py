"""Personal API tokens: `Authorization: Bearer <token>`.

Only the SHA-256 of a token is stored. A revoked or expired token is refused with a 401 whose
message says which, so that an integration's operator knows to create a new one.

Guessing is throttled per client address: after API_TOKEN_FAILURE_LIMIT failed authentications within a
window of API_TOKEN_FAILURE_WINDOW seconds, every token from that address is answered 429 with
Retry-After until the window ends (a valid one too, so the answer tells a guesser nothing). The counter is
one cache key per address and window, raised atomically (`cache.add` then `cache.incr`, Redis INCR).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.throttling import BaseThrottle

from accounts.models import ApiToken
from accounts.services import api_token_hash

# last_used_at is written at most this often, so that busy integrations do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

logger = logging.getLogger(__name__)


def _failure_key(request) -> tuple[str, int]:
    """The failure counter's cache key for this address and window, and the seconds left in the window."""
    window = settings.API_TOKEN_FAILURE_WINDOW
    now = time.time()
    address = BaseThrottle().get_ident(request)
    return f"api-token-failures:{address}:{int(now // window)}", int(window - now % window) + 1


def _failures_exceeded(request) -> int | None:
    """Seconds to wait when this address has failed too often in the current window, else None."""
    key, remaining = _failure_key(request)
    try:
        failures = cache.get(key, 0)
    except Exception as error:  # noqa: BLE001 - an unreachable cache must not refuse every request
        logger.warning("Token failure throttle skipped: the cache is unreachable (%s).", error)
        return None
    return remaining if failures >= settings.API_TOKEN_FAILURE_LIMIT else None


def _failure_record(request) -> None:
    key, remaining = _failure_key(request)
    try:
        cache.add(key, 0, timeout=remaining + 1)
        cache.incr(key)
    except ValueError:  # the key expired between add and incr: the window has just ended
        pass
    except Exception as error:  # noqa: BLE001
        logger.warning("Token failure not counted: the cache is unreachable (%s).", error)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate with a personal API token created on the settings page or by `create_api_token`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        wait = _failures_exceeded(request)
        if wait is not None:
            raise exceptions.Throttled(
                wait=wait, detail=str(_("Too many failed token authentications from this address."))
            )
        try:
            return self._authenticate(header)
        except exceptions.AuthenticationFailed:
            _failure_record(request)
            raise

    def _authenticate(self, header: list[bytes]):
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Bearer <token>”."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("The token contains invalid characters.")) from error
        return self.authenticate_credentials(raw)

    def authenticate_credentials(self, raw: str):
        token = ApiToken.objects.select_related("user").filter(token_hash=api_token_hash(raw)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked; create a new one."))
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(_("This token has expired; create a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token."}
