"""A Redis cache that behaves like an empty cache while Redis is down, instead of raising.

Sign-in must keep working without Redis: allauth keeps its rate limits and its "this two-step
code was used already" marks in the cache, and with Django's own Redis backend every sign-in
fails with a server error while Redis is away. Here a failed read is a miss, a failed write is
skipped, and a failed ``add`` succeeds, so allauth's rate-limit lock (a loop on ``add``) cannot
spin. While Redis is down those protections are off; django-axes lockout, which lives in the
database, still applies. ``/healthz`` still reports the cache as unavailable, because the value
it writes cannot be read back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_FAILURES = (RedisError, OSError)


def _log(operation: str, error: BaseException) -> None:
    logger.warning(
        "Cache %s failed (%s); carrying on without the cache", operation, type(error).__name__
    )


class FailOpenRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except _FAILURES as error:
            _log("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except _FAILURES as error:
            _log("get_many", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except _FAILURES as error:
            _log("has_key", error)
            return False

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except _FAILURES as error:
            _log("set", error)

    def set_many(self, data: Any, timeout: Any = 300, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except _FAILURES as error:
            _log("set_many", error)
            return list(data)

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except _FAILURES as error:
            _log("add", error)
            return True

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except _FAILURES as error:
            _log("touch", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except _FAILURES as error:
            _log("delete", error)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except _FAILURES as error:
            _log("delete_many", error)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except _FAILURES as error:
            _log("incr", error)
            # As if this were the first count: callers treat it like a fresh window.
            return delta

    def clear(self) -> None:
        try:
            super().clear()
        except _FAILURES as error:
            _log("clear", error)
