"""A send rate per channel shared by every worker (Celery's ``rate_limit`` is per worker).

With ``REDIS_URL`` set the bucket lives in Redis and a Lua script takes tokens atomically using
Redis's own clock, so any number of worker processes on any number of machines share it. Without
Redis (the embedded ``make run``, or Redis down) each process keeps its own bucket: sending goes
on, more slowly coordinated, rather than stopping.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

# KEYS[1] bucket key; ARGV[1] tokens per second; ARGV[2] bucket size.
# Returns 0 when a token was taken, or the milliseconds to wait for the next one.
_TAKE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local rate = tonumber(ARGV[1])
local size = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then
  tokens = size
  at = now
end
tokens = math.min(size, tokens + (now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(size * 1000 / rate) + 1000)
return wait
"""


@dataclass
class _LocalBucket:
    tokens: float
    at: float


class SendRateLimiter:
    """Token buckets, one per channel. ``rates`` are messages per second; 0 means unlimited."""

    def __init__(self, *, rates: dict[str, float], redis_url: str = "", prefix: str = "") -> None:
        self.rates = rates
        self.redis_url = redis_url
        self.prefix = prefix or "bcbt:notifications:rate:"
        self._client: object | None = None
        self._script: object | None = None
        self._local: dict[str, _LocalBucket] = {}
        self._lock = threading.Lock()

    def _redis_script(self) -> object | None:
        if not self.redis_url:
            return None
        if self._script is None:
            import redis

            client = redis.Redis.from_url(
                self.redis_url, socket_connect_timeout=1, socket_timeout=1
            )
            self._client = client
            self._script = client.register_script(_TAKE_SCRIPT)
        return self._script

    def _take_local(self, channel: str, rate: float) -> float:
        size = max(1.0, rate)
        with self._lock:
            now = time.monotonic()
            bucket = self._local.setdefault(channel, _LocalBucket(tokens=size, at=now))
            bucket.tokens = min(size, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / rate

    def take(self, channel: str) -> float:
        """Take one token: 0.0 if taken, otherwise the seconds until the next token."""
        rate = float(self.rates.get(channel, 0) or 0)
        if rate <= 0:
            return 0.0
        script = self._redis_script()
        if script is not None:
            size = max(1.0, rate)
            try:
                wait_ms = script(keys=[f"{self.prefix}{channel}"], args=[rate, size])  # type: ignore[operator]
                return float(wait_ms) / 1000
            except Exception as error:  # Redis down or unreachable: keep sending, locally paced.
                logger.warning("send rate falls back to this process: %s", type(error).__name__)
        return self._take_local(channel, rate)

    def acquire(self, channel: str, *, max_wait: float) -> bool:
        """Wait for a token for up to ``max_wait`` seconds; False when none came in time."""
        deadline = time.monotonic() + max_wait
        while True:
            wait = self.take(channel)
            if wait <= 0:
                return True
            if time.monotonic() + wait > deadline:
                return False
            time.sleep(wait)


_limiter: SendRateLimiter | None = None
_limiter_config: tuple[object, ...] | None = None


def send_rate_limiter() -> SendRateLimiter:
    """The process's limiter, rebuilt when the settings change (tests change them)."""
    global _limiter, _limiter_config
    rates = dict(settings.NOTIFICATIONS_SEND_RATES)
    config = (tuple(sorted(rates.items())), settings.REDIS_URL)
    if _limiter is None or config != _limiter_config:
        _limiter = SendRateLimiter(rates=rates, redis_url=settings.REDIS_URL)
        _limiter_config = config
    return _limiter
