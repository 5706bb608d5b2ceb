"""/healthz: the state of the database, the cache and the broker, for load balancers and people."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unavailable")
        return False
    return True


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", 10)
        return cache.get("healthz") == "ok"
    except Exception:
        logger.warning("Health check: cache unavailable", exc_info=True)
        return False


def _broker_ok() -> bool:
    from bcbt.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception:
        logger.warning("Health check: broker unavailable", exc_info=True)
        return False
    return True


@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_ok()
    checks = {
        "database": "ok" if database else "unavailable",
        "cache": "ok" if _cache_ok() else "unavailable",
        "broker": "ok" if _broker_ok() else "unavailable",
    }
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
