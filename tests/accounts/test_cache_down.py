"""Sign-in keeps working while Redis is down: allauth keeps rate limits and used two-step codes
in the cache, and a cache outage must not turn every sign-in into a server error."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client

from tests.accounts.conftest import password_sign_in, totp_code


@pytest.fixture
def redis_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "accounts.cache.FailOpenRedisCache",
            # Nothing listens on port 1: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def test_password_sign_in_works_without_redis(redis_is_down, patient, episode) -> None:
    client = Client()
    assert password_sign_in(client, patient.username).status_code == 302
    assert client.get("/me/").status_code == 200


def test_lockout_still_applies_without_redis(redis_is_down, patient) -> None:
    for _ in range(5):
        password_sign_in(Client(), patient.username, "wrong-password-here")
    assert password_sign_in(Client(), patient.username).status_code == 429


def test_a_sign_in_code_can_be_requested_without_redis(redis_is_down, patient) -> None:
    response = Client().post("/accounts/login/code/", {"email": patient.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [patient.email]


def test_staff_two_step_sign_in_works_without_redis(redis_is_down, settings, pwp) -> None:
    settings.BCBT_REQUIRE_STAFF_MFA = True
    secret = generate_totp_secret()
    TOTP.activate(pwp, secret)
    client = Client()
    password_sign_in(client, pwp.username)
    assert (
        client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    )
    assert client.get("/clinician/").status_code == 200


def test_the_fail_open_cache_reports_misses_while_down(redis_is_down) -> None:
    from django.core.cache import cache

    cache.set("key", "value")
    assert cache.get("key") is None
    assert cache.add("key", "value") is True


def test_the_fail_open_cache_works_normally_with_redis(redis_url, settings) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "accounts.cache.FailOpenRedisCache", "LOCATION": redis_url}
    }
    from django.core.cache import cache

    cache.set("fail-open-test", "value", 30)
    assert cache.get("fail-open-test") == "value"
    assert cache.add("fail-open-test", "other") is False
    cache.set("fail-open-counter", 1, 30)
    assert cache.incr("fail-open-counter") == 2
    cache.delete_many(["fail-open-test", "fail-open-counter"])
