"""Short-lived access tokens with a rotating refresh token (issue 20): POST /api/v1/auth/refresh/
gives a new pair and spends the old one; a spent refresh token sent again signs the device out."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import token_hash
from accounts.models import DeviceToken, RefreshToken, User
from accounts.tokens import device_tokens_active_for_user
from care.models import AuditEvent
from tests.factories import PASSWORD

REFRESH_URL = "/api/v1/auth/refresh/"


def sign_in(user: User) -> dict[str, str]:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD, "device_name": "Pixel 8"},
        format="json",
    )
    assert response.status_code == 200
    return response.json()


def refresh(refresh_token: str):
    return APIClient().post(REFRESH_URL, {"refresh_token": refresh_token}, format="json")


def mood_list(access_token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {access_token}")
    return client.get("/api/v1/mood/").status_code


def test_the_access_token_is_short_lived(patient: User, episode) -> None:
    body = sign_in(patient)
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    refresh_expires_at = datetime.datetime.fromisoformat(body["refresh_expires_at"])
    assert expires_at - timezone.now() <= datetime.timedelta(
        minutes=settings.BCBT_ACCESS_TOKEN_LIFETIME_MINUTES
    )
    assert refresh_expires_at > expires_at
    with time_machine.travel(expires_at + datetime.timedelta(seconds=1)):
        assert mood_list(body["token"]) == 401


def test_a_refresh_gives_a_new_pair_and_the_old_access_token_stops(patient: User, episode) -> None:
    first = sign_in(patient)
    response = refresh(first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert set(second) == {"token", "expires_at", "refresh_token", "refresh_expires_at"}
    assert second["token"] != first["token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert mood_list(second["token"]) == 200
    assert mood_list(first["token"]) == 401
    # One device, still named as it was.
    assert DeviceToken.objects.get(user=patient).name == "Pixel 8"
    assert AuditEvent.objects.filter(action="device_token.issue").count() == 1


def test_a_refresh_works_after_the_access_token_expired(patient: User, episode) -> None:
    first = sign_in(patient)
    later = timezone.now() + datetime.timedelta(days=settings.BCBT_TOKEN_LIFETIME_DAYS - 1)
    with time_machine.travel(later):
        assert mood_list(first["token"]) == 401
        second = refresh(first["refresh_token"]).json()
        assert mood_list(second["token"]) == 200
        # Each refresh starts the refresh token's lifetime again.
        assert datetime.datetime.fromisoformat(second["refresh_expires_at"]) > (
            later + datetime.timedelta(days=settings.BCBT_TOKEN_LIFETIME_DAYS - 1)
        )


def test_an_expired_refresh_token_is_401(patient: User, episode) -> None:
    first = sign_in(patient)
    later = timezone.now() + datetime.timedelta(days=settings.BCBT_TOKEN_LIFETIME_DAYS + 1)
    with time_machine.travel(later):
        response = refresh(first["refresh_token"])
    assert response.status_code == 401
    assert response.json()["code"] == "refresh_token_invalid"


def test_reusing_a_spent_refresh_token_signs_the_whole_device_out(patient: User, episode) -> None:
    first = sign_in(patient)
    second = refresh(first["refresh_token"]).json()
    reuse = refresh(first["refresh_token"])
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "refresh_token_reused"
    # Every token of the device stops: the newest access token and the newest refresh token.
    assert mood_list(second["token"]) == 401
    assert refresh(second["refresh_token"]).status_code == 401
    device = DeviceToken.objects.get(user=patient)
    assert device.revoked_at is not None
    assert AuditEvent.objects.filter(action="device_token.refresh_reused").exists()
    assert not device_tokens_active_for_user(user=patient).exists()


def test_a_reuse_leaves_the_persons_other_devices_signed_in(patient: User, episode) -> None:
    phone = sign_in(patient)
    tablet = sign_in(patient)
    refresh(phone["refresh_token"])
    refresh(phone["refresh_token"])
    assert mood_list(tablet["token"]) == 200


def test_an_unknown_refresh_token_is_401(db: None) -> None:
    response = refresh("not-a-token")
    assert response.status_code == 401
    assert response.json()["code"] == "refresh_token_invalid"


def test_a_missing_refresh_token_is_400(db: None) -> None:
    response = APIClient().post(REFRESH_URL, {}, format="json")
    assert response.status_code == 400
    assert "refresh_token" in response.json()


def test_a_signed_out_device_cannot_refresh(patient: User, episode) -> None:
    first = sign_in(patient)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert refresh(first["refresh_token"]).status_code == 401


def test_a_deactivated_person_cannot_refresh(patient: User, episode) -> None:
    first = sign_in(patient)
    User.objects.filter(pk=patient.pk).update(is_active=False)
    assert refresh(first["refresh_token"]).status_code == 401


def test_refresh_tokens_are_stored_hashed(patient: User, episode) -> None:
    first = sign_in(patient)
    stored = RefreshToken.objects.get()
    assert stored.token_hash == token_hash(first["refresh_token"])
    assert not RefreshToken.objects.filter(token_hash=first["refresh_token"]).exists()


def test_the_token_check_costs_no_more_queries(
    patient: User, episode, django_assert_max_num_queries
) -> None:
    """Refresh tokens live beside the device row, so the per-request token check is still
    the one statement (plus the view's own work) it was."""
    body = sign_in(patient)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    client.get("/api/v1/mood/")
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/mood/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_with_the_same_token_at_once_sign_the_device_out(
    postgres: None, patient: User, episode
) -> None:
    """The same refresh token sent twice at the same moment is a reuse: one of the two gets
    the new pair first, the other finds it spent, and the device is signed out."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    first = sign_in(patient)
    barrier = threading.Barrier(2)

    def send(_index: int) -> int:
        try:
            barrier.wait(timeout=10)
            return refresh(first["refresh_token"]).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(send, range(2)))
    assert statuses == [200, 401]
    assert DeviceToken.objects.get(user=patient).revoked_at is not None


def test_a_device_whose_access_token_lapsed_is_still_signed_in(patient: User, episode) -> None:
    """Its refresh token can renew it, so the devices page and the navigator still list it."""
    sign_in(patient)
    later = timezone.now() + datetime.timedelta(days=2)
    with time_machine.travel(later):
        assert list(device_tokens_active_for_user(user=patient).values_list("name", flat=True)) == [
            "Pixel 8"
        ]
    with time_machine.travel(later + datetime.timedelta(days=settings.BCBT_TOKEN_LIFETIME_DAYS)):
        assert not device_tokens_active_for_user(user=patient).exists()
