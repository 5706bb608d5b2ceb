"""Request latency by view, for /metrics: a histogram shared by every web worker.

gunicorn runs several processes and a scrape reaches one of them, so the counts live in Redis
(one pipelined round trip per request, three increments). Without Redis (``make run``) each
process keeps its own. Losing Redis loses only these counts: recording never raises.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import redis
from django.conf import settings
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Upper bounds in seconds (Prometheus' "le"), chosen around the pages' usual 20-500 ms.
BUCKETS: tuple[float, ...] = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_PREFIX = "bcbt:metrics:latency"


@dataclass
class ViewLatency:
    # Observations per bucket, not cumulative; the last entry is "above every bound".
    buckets: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    count: int = 0
    total_seconds: float = 0.0


_local: dict[str, ViewLatency] = {}
_local_lock = threading.Lock()
_client: redis.Redis | None = None


def _redis() -> redis.Redis | None:
    global _client
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    if _client is None:
        # Short timeouts: a slow Redis must not slow every page down.
        _client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
    return _client


def _bucket_index(seconds: float) -> int:
    for index, bound in enumerate(BUCKETS):
        if seconds <= bound:
            return index
    return len(BUCKETS)


def latency_record(*, view: str, seconds: float) -> None:
    index = _bucket_index(seconds)
    client = _redis()
    if client is None:
        with _local_lock:
            entry = _local.setdefault(view, ViewLatency())
            entry.buckets[index] += 1
            entry.count += 1
            entry.total_seconds += seconds
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(f"{_PREFIX}:buckets", f"{view}|{index}", 1)
        pipe.hincrby(f"{_PREFIX}:count", view, 1)
        pipe.hincrbyfloat(f"{_PREFIX}:sum", view, seconds)
        pipe.execute()
    except (RedisError, OSError) as error:
        logger.warning("Latency metric not recorded (%s)", type(error).__name__)


def latency_snapshot() -> dict[str, ViewLatency]:
    """Every view's histogram so far (empty when Redis cannot be read)."""
    client = _redis()
    if client is None:
        with _local_lock:
            return {
                view: ViewLatency(list(entry.buckets), entry.count, entry.total_seconds)
                for view, entry in _local.items()
            }
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hgetall(f"{_PREFIX}:buckets")
        pipe.hgetall(f"{_PREFIX}:count")
        pipe.hgetall(f"{_PREFIX}:sum")
        buckets, counts, sums = pipe.execute()
    except (RedisError, OSError) as error:
        logger.warning("Latency metrics unavailable (%s)", type(error).__name__)
        return {}
    result: dict[str, ViewLatency] = {}
    for raw_view, raw_count in counts.items():
        view = raw_view.decode()
        result[view] = ViewLatency(
            count=int(raw_count), total_seconds=float(sums.get(raw_view, b"0"))
        )
    for raw_field, raw_value in buckets.items():
        view, _, index = raw_field.decode().rpartition("|")
        if view in result:
            result[view].buckets[int(index)] = int(raw_value)
    return result


def latency_reset_local() -> None:
    """Forget the per-process counts (for tests without Redis)."""
    with _local_lock:
        _local.clear()
