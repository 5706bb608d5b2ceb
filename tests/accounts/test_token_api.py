"""POST /api/v1/auth/token/ and /api/v1/auth/logout/: device sign-in with the web form's lockout."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api import INVALID_CREDENTIALS_MESSAGE
from accounts.models import DeviceToken, User
from care.models import AuditEvent
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def sign_in(client: APIClient, username: str, password: str, **extra: str):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, format="json"
    )


def test_a_patient_gets_a_token_for_their_device(patient: User) -> None:
    response = sign_in(APIClient(), patient.username, PASSWORD, device_name="Pixel 8")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at", "refresh_token", "refresh_expires_at"}
    token = DeviceToken.objects.get(user=patient)
    assert token.name == "Pixel 8"
    assert body["token"] not in token.key_hash
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    expected = timezone.now() + datetime.timedelta(
        minutes=settings.BCBT_ACCESS_TOKEN_LIFETIME_MINUTES
    )
    assert abs((expires_at - expected).total_seconds()) < 60
    refresh_expires_at = datetime.datetime.fromisoformat(body["refresh_expires_at"])
    expected = timezone.now() + datetime.timedelta(days=settings.BCBT_TOKEN_LIFETIME_DAYS)
    assert abs((refresh_expires_at - expected).total_seconds()) < 60
    assert AuditEvent.objects.filter(action="device_token.issue", actor=patient).exists()


def test_the_token_opens_the_api(patient: User, episode) -> None:
    key = sign_in(APIClient(), patient.username, PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/mood/").status_code == 200


def test_each_device_gets_its_own_token(patient: User) -> None:
    first = sign_in(APIClient(), patient.username, PASSWORD, device_name="phone").json()
    second = sign_in(APIClient(), patient.username, PASSWORD, device_name="tablet").json()
    assert first["token"] != second["token"]
    assert DeviceToken.objects.filter(user=patient).count() == 2


def test_email_works_as_the_username(patient: User) -> None:
    assert sign_in(APIClient(), patient.email, PASSWORD).status_code == 200


def test_a_wrong_password_is_401_with_a_clear_message(patient: User) -> None:
    response = sign_in(APIClient(), patient.username, "not the password")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": INVALID_CREDENTIALS_MESSAGE,
        "code": "invalid_credentials",
    }
    assert not DeviceToken.objects.exists()


def test_an_unknown_user_gets_the_same_answer(db: None) -> None:
    response = sign_in(APIClient(), "nobody-by-this-name", "whatever-password")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_an_inactive_account_cannot_sign_in(patient: User) -> None:
    patient.is_active = False
    patient.save(update_fields=["is_active"])
    assert sign_in(APIClient(), patient.username, PASSWORD).status_code == 401


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "x"}, {"password": "y"}, {"username": "", "password": "y"}],
)
def test_missing_fields_are_400_per_field(db: None, body: dict[str, str]) -> None:
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"username", "password"}


def test_lockout_applies_as_on_the_web_form(patient: User) -> None:
    client = APIClient()
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [
        sign_in(client, patient.username, "wrong-password").status_code for _ in range(limit)
    ]
    assert statuses[: limit - 1] == [401] * (limit - 1)
    # Now even the right password is refused, with the JSON lockout answer.
    response = sign_in(client, patient.username, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert body["retry_after_minutes"] >= 1
    assert int(response["Retry-After"]) == body["retry_after_minutes"] * 60
    assert not DeviceToken.objects.exists()


def test_lockout_is_shared_with_the_web_form(patient: User) -> None:
    from django.test import Client

    web = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        web.post("/accounts/login/", {"login": patient.username, "password": "wrong-password"})
    assert sign_in(APIClient(), patient.username, PASSWORD).status_code == 429


def test_lockout_is_by_username_and_place_so_others_are_not_locked(
    patient: User, other_patient: User
) -> None:
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, patient.username, "wrong-password")
    assert sign_in(client, other_patient.username, PASSWORD).status_code == 200
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.9")
    assert sign_in(elsewhere, patient.username, PASSWORD).status_code == 200


def test_the_lockout_cools_off(patient: User) -> None:
    import time_machine

    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, patient.username, "wrong-password")
    later = timezone.now() + datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(later):
        assert sign_in(client, patient.username, PASSWORD).status_code == 200


def test_logout_revokes_the_token_used_and_only_that_one(patient: User, episode) -> None:
    phone = sign_in(APIClient(), patient.username, PASSWORD, device_name="phone").json()["token"]
    tablet = sign_in(APIClient(), patient.username, PASSWORD, device_name="tablet").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {phone}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/mood/").status_code == 401
    assert client.post("/api/v1/auth/logout/").status_code == 401
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {tablet}")
    assert other.get("/api/v1/mood/").status_code == 200
    revoked = DeviceToken.objects.get(name="phone")
    assert revoked.revoked_at is not None
    assert AuditEvent.objects.filter(action="device_token.revoke").count() == 1


def test_logout_needs_a_token_not_a_browser_session(patient_client) -> None:
    assert patient_client.post("/api/v1/auth/logout/").status_code == 401


def test_token_sign_in_is_not_a_get(db: None) -> None:
    assert APIClient().get(TOKEN_URL).status_code == 405
