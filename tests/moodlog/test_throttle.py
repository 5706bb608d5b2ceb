"""Rate limits on mood writes, and what happens when the cache behind them is down."""

from __future__ import annotations

import datetime
import logging
import math
import socket

import pytest
import time_machine
from django.core.cache import caches
from rest_framework.test import APIClient

from accounts.models import User
from moodlog.models import MoodRating

MID_MINUTE = datetime.datetime(2026, 3, 2, 12, 0, 30, tzinfo=datetime.UTC)


def closed_port() -> int:
    """A local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def low_write_limit(settings):
    """3 writes a minute, with the clock stopped mid-minute so that no test crosses into the
    next window."""
    traveller = time_machine.travel(
        datetime.datetime(2026, 3, 2, 12, 0, 30, tzinfo=datetime.UTC), tick=False
    )
    traveller.start()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "mood_write": "3/min",
        },
    }
    yield
    traveller.stop()


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield
    caches["default"].close()


def put(client: APIClient, patient: User, score: int):
    return client.put(f"/api/v1/mood/{patient.local_today()}/", {"score": score}, format="json")


def test_too_many_writes_get_429(patient_api: APIClient, patient: User, low_write_limit) -> None:
    statuses = [put(patient_api, patient, score).status_code for score in (1, 2, 3, 4)]
    assert statuses == [201, 200, 200, 429]
    response = put(patient_api, patient, 9)
    assert response.status_code == 429
    # Half a minute until the window turns.
    assert response["Retry-After"] == "30"
    assert MoodRating.objects.get(patient=patient).score == 3


def test_reads_are_not_limited(patient_api: APIClient, patient: User, low_write_limit) -> None:
    for score in (1, 2, 3):
        put(patient_api, patient, score)
    for _ in range(5):
        assert patient_api.get("/api/v1/mood/").status_code == 200


def test_the_limit_is_per_person(
    patient_api: APIClient,
    patient: User,
    other_patient_api: APIClient,
    other_patient: User,
    low_write_limit,
) -> None:
    for score in (1, 2, 3, 4):
        put(patient_api, patient, score)
    assert put(other_patient_api, other_patient, 5).status_code == 201


def test_writes_still_succeed_when_the_cache_is_down(
    patient_api: APIClient, patient: User, cache_down, caplog
) -> None:
    with caplog.at_level(logging.WARNING, logger="moodlog.throttles"):
        first = put(patient_api, patient, 4)
        second = put(patient_api, patient, 5)
    assert (first.status_code, second.status_code) == (201, 200)
    assert MoodRating.objects.get(patient=patient).score == 5
    warnings = [record for record in caplog.records if record.name == "moodlog.throttles"]
    assert warnings
    assert all(record.levelno == logging.WARNING for record in warnings)
    assert "cache is not answering" in warnings[0].getMessage()


def test_with_the_cache_down_posts_and_deletes_still_work(
    patient_api: APIClient, patient: User, cache_down
) -> None:
    created = patient_api.post(
        "/api/v1/mood/", {"score": 6}, format="json", headers={"Idempotency-Key": "k-1"}
    )
    assert created.status_code == 201
    assert patient_api.delete(f"/api/v1/mood/{patient.local_today()}/").status_code == 204


def test_the_limit_is_kept_in_redis_when_configured(
    patient_api: APIClient, patient: User, redis_url: str, settings, low_write_limit
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "bcbt-test-moodlog-throttle",
        }
    }
    caches["default"].clear()
    statuses = [put(patient_api, patient, score).status_code for score in (1, 2, 3, 4)]
    assert statuses == [201, 200, 200, 429]
    window = math.floor(
        datetime.datetime(2026, 3, 2, 12, 0, 30, tzinfo=datetime.UTC).timestamp() / 60
    )
    assert caches["default"].get(f"throttle_mood_write_{patient.pk}_{window}") == 4
    caches["default"].clear()


def test_a_new_minute_starts_a_new_count(patient_api: APIClient, patient: User, settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "mood_write": "2/min",
        },
    }
    start = datetime.datetime(2026, 3, 2, 12, 0, 50, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert [put(patient_api, patient, score).status_code for score in (1, 2, 3)] == [
            201,
            200,
            429,
        ]
    with time_machine.travel(start + datetime.timedelta(seconds=11), tick=False):
        assert put(patient_api, patient, 4).status_code == 200
