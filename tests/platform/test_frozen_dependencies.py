"""No page waits on a frozen dependency (issue #16 items 3-4).

A frozen Redis is a real redis-server of our own, stopped with SIGSTOP; a frozen PostgreSQL is
a proxy in front of the test database that stops passing bytes mid-conversation, which is what
a SIGSTOPped server looks like from the client (the kernel still holds the connection open).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from accounts.models import User
from bcbt import settings as production_settings
from scripts.faults._servers import (
    FreezableProxy,
    RedisServer,
    blackhole,
    freezable_proxy,
    redis_server,
)

pytestmark = pytest.mark.redis


@pytest.fixture
def frozen_redis(settings: Any) -> Iterator[RedisServer]:
    """Our own Redis, configured as production configures it, then frozen."""
    with redis_server() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "accounts.cache.FailOpenRedisCache",
                "LOCATION": server.url,
                "OPTIONS": production_settings.REDIS_SOCKET_OPTIONS,
            }
        }
        settings.CELERY_BROKER_URL = server.url
        server.freeze()
        yield server


def _timed_get(client: Client, path: str) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


@pytest.mark.django_db
def test_healthz_answers_within_two_seconds_while_redis_is_frozen(frozen_redis) -> None:
    response, elapsed = _timed_get(Client(), "/healthz")
    assert elapsed < 2.0
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "unavailable"
    assert body["checks"]["broker"] == "unavailable"


def test_a_patient_page_answers_quickly_while_redis_is_frozen(frozen_redis, patient_client) -> None:
    response, elapsed = _timed_get(patient_client, "/mood/")
    assert response.status_code == 200
    assert elapsed < 2.0


def test_sign_in_by_code_answers_quickly_while_redis_is_frozen(frozen_redis, patient) -> None:
    started = time.monotonic()
    response = Client().post("/accounts/login/code/", {"email": patient.email})
    assert time.monotonic() - started < 3.0
    assert response.status_code == 302


def test_healthz_is_503_within_two_seconds_when_the_database_never_answers(db, monkeypatch) -> None:
    with blackhole() as port:
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", str(port))
        response, elapsed = _timed_get(Client(), "/healthz")
    assert elapsed < 2.0
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_the_database_connection_gives_up_on_a_server_that_never_answers() -> None:
    options = production_settings.DATABASE_TIMEOUT_OPTIONS
    assert 0 < int(str(options["connect_timeout"])) <= 3
    assert "statement_timeout" in str(options["options"])


@pytest.fixture
def frozen_postgres(postgres, monkeypatch) -> Iterator[FreezableProxy]:
    """The test database behind a proxy that can freeze; the connection is reopened through it
    and closed again afterwards, so the rest of the suite is untouched."""
    with freezable_proxy(int(connection.settings_dict["PORT"] or 5432)) as proxy:
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", str(proxy.port))
        yield proxy
        proxy.thaw()
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_patient_page_gives_up_within_five_seconds_while_postgres_is_frozen(
    frozen_postgres, patient, episode
) -> None:
    # As in production: an error becomes a page, not an exception in the test.
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(pk=patient.pk))
    assert client.get("/mood/").status_code == 200
    frozen_postgres.freeze()
    response, elapsed = _timed_get(client, "/mood/")
    assert elapsed < 5.0
    assert response.status_code == 503
    assert b"try again" in response.content
    assert django_settings.BCBT_REQUEST_DEADLINE_SECONDS < 5


def test_gunicorn_waits_longer_than_every_bound_inside_a_request() -> None:
    import yaml

    compose = yaml.safe_load((Path(django_settings.BASE_DIR) / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["command"]
    gunicorn_timeout = float(command[command.index("--timeout") + 1])
    assert gunicorn_timeout > django_settings.BCBT_REQUEST_DEADLINE_SECONDS
    assert gunicorn_timeout > production_settings.DATABASE_CONNECT_TIMEOUT
    worker_environment = compose["services"]["worker"]["environment"]
    assert int(worker_environment["DATABASE_STATEMENT_TIMEOUT_MS"]) > (
        production_settings.DATABASE_STATEMENT_TIMEOUT_MS
    )
