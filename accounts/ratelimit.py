"""A small fixed-window rate limit in the cache, for public forms.

It fails open: when the cache (Redis) is down, the form still works. Refusing a person who
cannot sign in because our cache is broken would be worse than letting a few extra requests in.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def rate_limit_exceeded(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for ``key`` and say whether it goes over ``limit`` in this window.

    The key is hashed so that no email address or IP address is written into the cache.
    """
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        if cache.add(cache_key, 1, timeout=window_seconds):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:
                # The key expired between add and incr: this is the first attempt of a window.
                cache.set(cache_key, 1, timeout=window_seconds)
                count = 1
    except Exception:  # Any cache failure: Redis down, timeout, refused connection.
        logger.warning("Rate limit cache unavailable for scope %s; allowing the request", scope)
        return False
    return count > limit
