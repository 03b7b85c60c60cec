"""Locks that cannot outlive a dead worker: a cache key with a time to live."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache


@contextmanager
def cache_lock(name: str, *, ttl_seconds: int | None = None) -> Iterator[bool]:
    """Yield True when the lock was taken, False when another process holds it.

    The key expires after `ttl_seconds` even if this process dies without releasing it; release
    removes the key only if it still holds this process's token.
    """
    ttl = ttl_seconds or int(settings.RECOMPUTE_LOCK_TTL.total_seconds())
    key = f"lock:{name}"
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout=ttl)
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == token:
            cache.delete(key)
