"""Request latency by view, for /metrics: a histogram shared by every web worker.

gunicorn runs several processes and a scrape reaches one of them, so the counts live in Redis.
A process gathers its requests' counts and adds them to Redis together, in one pipelined round
trip, a second after the first of them (``FLUSH_SECONDS``, on a timer thread, so an idle worker
does not keep counts back) and whenever it serves a scrape: a round trip on every request cost
a tenth of a mood write's CPU (``python -m bench http``). A worker that dies loses at most its
last second of counts. Without Redis (``make run``) each process keeps its own. Losing Redis
loses only these counts: recording never raises.
"""

from __future__ import annotations

import logging
import os
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


FLUSH_SECONDS = 1.0

_local: dict[str, ViewLatency] = {}
_local_lock = threading.Lock()
_client: redis.Redis | None = None
# Counts not yet in Redis, and the timer that will send them (None when none wait).
_pending: dict[str, ViewLatency] = {}
_pending_lock = threading.Lock()
_flush_timer: threading.Timer | None = None


def _forget_after_fork() -> None:
    # A forked child has the parent's counts (the parent sends them) but not its timer thread.
    global _flush_timer
    _pending.clear()
    _flush_timer = None


os.register_at_fork(after_in_child=_forget_after_fork)


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


def _add(counts: dict[str, ViewLatency], view: str, index: int, seconds: float) -> None:
    entry = counts.get(view)
    if entry is None:
        entry = counts[view] = ViewLatency()
    entry.buckets[index] += 1
    entry.count += 1
    entry.total_seconds += seconds


def latency_record(*, view: str, seconds: float) -> None:
    global _flush_timer
    index = _bucket_index(seconds)
    if _redis() is None:
        with _local_lock:
            _add(_local, view, index, seconds)
        return
    with _pending_lock:
        _add(_pending, view, index, seconds)
        if _flush_timer is None:
            _flush_timer = threading.Timer(FLUSH_SECONDS, latency_flush)
            _flush_timer.daemon = True
            _flush_timer.start()


def latency_flush() -> None:
    """Add this process's waiting counts to Redis, in one round trip."""
    global _flush_timer
    with _pending_lock:
        counts = dict(_pending)
        _pending.clear()
        timer, _flush_timer = _flush_timer, None
    if timer is not None and timer is not threading.current_thread():
        timer.cancel()
    client = _redis()
    if not counts or client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for view, entry in counts.items():
            for index, observed in enumerate(entry.buckets):
                if observed:
                    pipe.hincrby(f"{_PREFIX}:buckets", f"{view}|{index}", observed)
            pipe.hincrby(f"{_PREFIX}:count", view, entry.count)
            pipe.hincrbyfloat(f"{_PREFIX}:sum", view, entry.total_seconds)
        pipe.execute()
    except (RedisError, OSError) as error:
        logger.warning("Latency metrics not recorded (%s)", type(error).__name__)


def latency_snapshot() -> dict[str, ViewLatency]:
    """Every view's histogram so far (empty when Redis cannot be read)."""
    client = _redis()
    if client is None:
        with _local_lock:
            return {
                view: ViewLatency(list(entry.buckets), entry.count, entry.total_seconds)
                for view, entry in _local.items()
            }
    # This process's own latest counts are part of the answer.
    latency_flush()
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
