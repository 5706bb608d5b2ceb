"""Token API requests take a short middleware chain; everything else keeps the full one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DeviceToken, User
from accounts.tokens import device_token_issue, device_token_revoke
from care.models import Episode
from tests.factories import PASSWORD


class _Counter:
    def __init__(self) -> None:
        self.calls = 0


@pytest.fixture
def browser_middleware_calls(monkeypatch: pytest.MonkeyPatch) -> _Counter:
    """Counts every call into the session, CSRF and messages middleware."""
    counter = _Counter()
    for cls, name in (
        (SessionMiddleware, "process_request"),
        (CsrfViewMiddleware, "process_view"),
        (MessageMiddleware, "process_request"),
    ):
        original = getattr(cls, name)

        def counting(self: Any, *args: Any, _original: Any = original) -> Any:
            counter.calls += 1
            return _original(self, *args)

        monkeypatch.setattr(cls, name, counting)
    return counter


def _token_client(user: User) -> APIClient:
    _, key = device_token_issue(user=user, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_mood_write_with_a_token_skips_session_csrf_and_messages(
    patient: User, episode: Episode, browser_middleware_calls: _Counter
) -> None:
    client = _token_client(patient)
    day = patient.local_today().isoformat()
    response = client.put(f"/api/v1/mood/{day}/", {"score": 6}, format="json")
    assert response.status_code == 201
    assert browser_middleware_calls.calls == 0
    assert "Set-Cookie" not in response.headers
    # The security headers still come from the short chain.
    assert response["X-Content-Type-Options"] == "nosniff"


def test_mood_write_with_a_token_takes_three_queries(
    patient: User, episode: Episode, django_assert_num_queries: Any
) -> None:
    client = _token_client(patient)
    day = patient.local_today().isoformat()
    # The token (noting its last use in the same statement), the upsert, nothing else.
    client.get("/api/v1/mood/")
    with django_assert_num_queries(1 + 1):
        response = client.put(f"/api/v1/mood/{day}/", {"score": 6}, format="json")
    assert response.status_code == 201


def test_a_revoked_token_is_refused_on_the_next_request(patient: User, episode: Episode) -> None:
    token, key = device_token_issue(user=patient, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/mood/").status_code == 200
    device_token_revoke(by=patient, token=token)
    assert client.get("/api/v1/mood/").status_code == 401


def test_the_api_session_still_needs_a_csrf_token(patient: User, episode: Episode) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    day = patient.local_today().isoformat()
    response = client.put(f"/api/v1/mood/{day}/", {"score": 6}, content_type="application/json")
    assert response.status_code == 403


def test_password_sign_in_with_a_token_header_still_locks_out(
    patient: User, browser_middleware_calls: _Counter
) -> None:
    client = APIClient()
    # A stale token sent along with a password sign-in must not skip django-axes.
    client.credentials(HTTP_AUTHORIZATION="Token stale-token-from-an-old-install")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/v1/auth/token/", {"username": patient.username, "password": "wrong"}, "json"
        )
    response = client.post(
        "/api/v1/auth/token/", {"username": patient.username, "password": PASSWORD}, "json"
    )
    assert response.status_code == 429
    assert browser_middleware_calls.calls > 0


def test_a_token_last_used_a_while_ago_is_touched_within_the_same_query(
    patient: User, episode: Episode, django_assert_num_queries: Any
) -> None:
    token, key = device_token_issue(user=patient, device_name="phone")
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    DeviceToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    day = patient.local_today().isoformat()
    # A phone rates once a day, so nearly every real write finds its token's last use stale.
    with django_assert_num_queries(2):
        response = client.put(f"/api/v1/mood/{day}/", {"score": 6}, format="json")
    assert response.status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > long_ago + datetime.timedelta(hours=1)


def test_a_refused_staff_token_does_not_note_a_last_use(pwp: User, settings: Any) -> None:
    settings.BCBT_REQUIRE_STAFF_MFA = True
    token, key = device_token_issue(user=pwp, device_name="phone", second_factor_verified=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/patients/").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None
