"""/healthz: the state of the database, the cache and the broker, for load balancers and people.

It answers within ``HEALTH_DEADLINE_SECONDS`` whatever is frozen. A frozen server accepts
connections and never replies, so each check runs in its own daemon thread, on a connection of
its own with short timeouts, and whatever has not answered by the deadline counts as
unavailable. The request's own database connection is never used: if it hung, the check would
hang with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# Below the 2 s a probe may take, with room for the response itself.
HEALTH_DEADLINE_SECONDS = 1.0
_CHECK_TIMEOUT_SECONDS = 0.8


def _database_ok() -> bool:
    # A fresh connection with the configured settings: the same server, user and options as
    # the site, so a wrong password or a full server shows here too.
    fresh = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        fresh.close()
    return True


def _cache_ok() -> bool:
    cache.set("healthz", "ok", 10)
    return bool(cache.get("healthz") == "ok")


def _broker_ok() -> bool:
    from kombu import Connection

    transport_options = {
        "socket_connect_timeout": _CHECK_TIMEOUT_SECONDS,
        "socket_timeout": _CHECK_TIMEOUT_SECONDS,
    }
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=_CHECK_TIMEOUT_SECONDS,
        transport_options=transport_options,
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
        # Connecting succeeds against a frozen Redis (the kernel accepts); a round trip does not.
        client = getattr(conn.default_channel, "client", None)
        if client is not None:
            client.ping()
    return True


def _run_bounded(checks: dict[str, Callable[[], bool]]) -> dict[str, str]:
    results: dict[str, str] = {}
    lock = threading.Lock()

    def run(name: str, check: Callable[[], bool]) -> None:
        try:
            ok = check()
        except Exception:
            logger.warning("Health check: %s unavailable", name, exc_info=True)
            ok = False
        with lock:
            results[name] = "ok" if ok else "unavailable"

    threads = [
        threading.Thread(target=run, args=(name, check), daemon=True, name=f"healthz-{name}")
        for name, check in checks.items()
    ]
    for thread in threads:
        thread.start()
    # One shared deadline: the checks run at the same time, so their waits do not add up.
    deadline = time.monotonic() + HEALTH_DEADLINE_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    with lock:
        return {name: results.get(name, "unavailable") for name in checks}


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    checks = _run_bounded({"database": _database_ok, "cache": _cache_ok, "broker": _broker_ok})
    database = checks["database"] == "ok"
    # Only the database is essential: clinical data never depends on the cache or the broker.
    status = "ok" if all(value == "ok" for value in checks.values()) else "degraded"
    if not database:
        status = "unavailable"
    body = {
        "status": status,
        "checks": checks,
        "cache_backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    }
    return JsonResponse(body, status=200 if database else 503)
