"""A Redis cache that behaves like an empty cache while Redis is down, instead of raising.

Sign-in must keep working without Redis: allauth keeps its rate limits and its "this two-step
code was used already" marks in the cache, and with Django's own Redis backend every sign-in
fails with a server error while Redis is away. Here a failed read is a miss, a failed write is
skipped, and a failed ``add`` succeeds, so allauth's rate-limit lock (a loop on ``add``) cannot
spin. While Redis is down those protections are off; django-axes lockout, which lives in the
database, still applies. ``/healthz`` still reports the cache as unavailable, because the value
it writes cannot be read back.

A frozen Redis (SIGSTOP, a hung host) does not refuse connections: each call waits for its
socket timeout. A sign-in page makes half a dozen cache calls, so after one failure the cache
is skipped for ``BCBT_CACHE_RETRY_SECONDS`` and a page pays for the outage once, not per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_FAILURES = (RedisError, OSError)
_Result = TypeVar("_Result")


class FailOpenRedisCache(RedisCache):
    # Monotonic time until which Redis is treated as down without asking it.
    _down_until: float = 0.0

    def _guarded(self, operation: str, fallback: _Result, call: Callable[[], _Result]) -> _Result:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call()
        except _FAILURES as error:
            self._down_until = time.monotonic() + float(settings.BCBT_CACHE_RETRY_SECONDS)
            logger.warning(
                "Cache %s failed (%s); carrying on without the cache for %s s",
                operation,
                type(error).__name__,
                settings.BCBT_CACHE_RETRY_SECONDS,
            )
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(
            "get", default, lambda: super(FailOpenRedisCache, self).get(key, default, version)
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guarded(
            "get_many", {}, lambda: super(FailOpenRedisCache, self).get_many(keys, version)
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(
            "has_key", False, lambda: super(FailOpenRedisCache, self).has_key(key, version)
        )

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        self._guarded(
            "set", None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version)
        )

    def set_many(self, data: Any, timeout: Any = 300, version: int | None = None) -> list[Any]:
        return self._guarded(
            "set_many",
            list(data),
            lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version),
        )

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._guarded(
            "add", True, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version)
        )

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._guarded(
            "touch", False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(
            "delete", False, lambda: super(FailOpenRedisCache, self).delete(key, version)
        )

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guarded(
            "delete_many", None, lambda: super(FailOpenRedisCache, self).delete_many(keys, version)
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # As if this were the first count: callers treat it like a fresh window.
        return self._guarded(
            "incr", delta, lambda: super(FailOpenRedisCache, self).incr(key, delta, version)
        )

    def clear(self) -> None:
        self._guarded("clear", None, lambda: super(FailOpenRedisCache, self).clear())
