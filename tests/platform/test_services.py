"""The real PostgreSQL and Redis are in use when they are configured (CI requires both)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def test_database_is_postgresql_when_required(postgres) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert "PostgreSQL" in cursor.fetchone()[0]
    # Persistent connections are what make PostgreSQL fast enough here.
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


def test_cache_is_the_real_redis_when_required(redis_url) -> None:
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("bcbt-test", "round trip", 5)
    assert cache.get("bcbt-test") == "round trip"
