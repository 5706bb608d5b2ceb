"""Rate limits for the mood API, kept in the default cache (Redis when REDIS_URL is set).

A rate limit protects the service; a mood rating is the patient's record. So when the cache
is down the limit is skipped with a warning in the log, and the rating is still saved.

The limit counts requests per person in fixed windows (60 per minute means at most 60 in each
clock minute). DRF's own throttles keep a list of times and read and write it on every request,
two round trips to Redis; a counter is one (INCR and EXPIRE in a pipeline), which keeps the
mood write close to the speed of a bare insert (see ``make bench``). A burst across the turn of
a window may reach twice the rate for a moment, which is harmless for this limit.
"""

from __future__ import annotations

import logging
import math
from typing import Any
from weakref import WeakKeyDictionary

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from redis import Redis
from redis.exceptions import RedisError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


# Django's Redis backend makes a new client object (cheap connections, costly object) on every
# call; keep one per backend, which holds the same connection pool.
_clients: WeakKeyDictionary[RedisCache, Redis] = WeakKeyDictionary()


def _redis_client(backend: RedisCache) -> Redis:
    client = _clients.get(backend)
    if client is None:
        client = _clients[backend] = backend._cache.get_client(write=True)
    return client


class CacheTolerantUserRateThrottle(UserRateThrottle):
    """A per-user (per-IP when anonymous) fixed-window limit that lets requests through, with a
    logged warning, when the cache cannot be reached."""

    # Set by DRF's SimpleRateThrottle (from the rate, and on each request); declared for mypy.
    num_requests: int
    duration: int
    now: float

    def get_rate(self) -> str | None:
        # Read the rates when used rather than when DRF was imported, so that settings
        # changed at run time (tests, a deployment's REST_FRAMEWORK) take effect.
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        try:
            rate: str | None = rates[str(self.scope)]
        except KeyError as error:
            raise ImproperlyConfigured(
                f"Set REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'][{self.scope!r}]."
            ) from error
        return rate

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = math.floor(self.now / self.duration)
        try:
            count = self._count(f"{key}_{window}")
        except (RedisError, OSError) as error:
            logger.warning(
                "Rate limit %r not applied: the cache is not answering (%s).",
                self.scope,
                type(error).__name__,
            )
            return True
        return count <= self.num_requests

    def _count(self, key: str) -> int:
        """Add one to the window's counter and return it."""
        backend = caches["default"]
        # Expire a little after the window ends; the window is part of the key.
        timeout = self.duration + 1
        if isinstance(backend, RedisCache):
            # One round trip. Django's Redis backend has no atomic "increment or create", so
            # use its client directly, with the key made the way the backend makes it.
            redis_key = backend.make_and_validate_key(key)
            pipeline = _redis_client(backend).pipeline(transaction=False)
            pipeline.incr(redis_key)
            pipeline.expire(redis_key, timeout)
            count, _ = pipeline.execute()
            return int(count)
        if backend.add(key, 1, timeout=timeout):
            return 1
        try:
            return int(backend.incr(key))
        except ValueError:
            # The counter expired between the two calls: this request starts a new one.
            backend.add(key, 1, timeout=timeout)
            return 1

    def wait(self) -> float | None:
        """Seconds until the current window ends (DRF sends it as Retry-After)."""
        return self.duration - (self.now % self.duration)


class MoodWriteThrottle(CacheTolerantUserRateThrottle):
    """Limits creating, changing and removing ratings; reading them is not limited."""

    scope = "mood_write"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
