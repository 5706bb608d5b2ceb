"""Where am I signed in: browser sessions and app tokens, each of which can be signed out."""

from __future__ import annotations

from django.test import Client

from accounts.models import UserSession
from accounts.tokens import device_token_issue
from tests.accounts.conftest import password_sign_in

PHONE = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Mobile"
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _signed_in(patient, user_agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    assert password_sign_in(client, patient.username).status_code == 302
    client.get("/me/")
    return client


def test_the_devices_page_lists_browsers_and_apps(patient, episode) -> None:
    phone = _signed_in(patient, PHONE)
    _signed_in(patient, LAPTOP)
    device_token_issue(user=patient, device_name="Sam's iPhone")
    page = phone.get("/account/devices/").content.decode()
    assert "Chrome on Android (this device)" in page
    assert "Firefox on Windows" in page
    assert "Sam&#x27;s iPhone" in page
    assert UserSession.objects.filter(user=patient).count() == 2


def test_signing_out_another_browser_ends_its_session(patient, episode) -> None:
    phone = _signed_in(patient, PHONE)
    laptop = _signed_in(patient, LAPTOP)
    laptop_session = UserSession.objects.get(device="Firefox on Windows")
    response = phone.post(f"/account/devices/sessions/{laptop_session.pk}/sign-out/")
    assert response.status_code == 302
    assert laptop.get("/me/").status_code == 302  # sent to sign in
    assert phone.get("/me/").status_code == 200
    assert not UserSession.objects.filter(pk=laptop_session.pk).exists()


def test_signing_out_an_app_revokes_its_token(patient, episode) -> None:
    phone = _signed_in(patient, PHONE)
    token, _ = device_token_issue(user=patient, device_name="Pixel")
    phone.post(f"/account/devices/tokens/{token.pk}/sign-out/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_sign_out_everywhere_else_keeps_this_browser(patient, episode) -> None:
    phone = _signed_in(patient, PHONE)
    laptop = _signed_in(patient, LAPTOP)
    token, _ = device_token_issue(user=patient, device_name="Pixel")
    phone.post("/account/devices/sign-out-others/")
    assert phone.get("/me/").status_code == 200
    assert laptop.get("/me/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_can_sign_out_someone_elses_session_or_app(
    patient, episode, other_patient, other_episode
) -> None:
    _signed_in(other_patient, LAPTOP)
    theirs = UserSession.objects.get(user=other_patient)
    their_token, _ = device_token_issue(user=other_patient)
    mine = _signed_in(patient, PHONE)
    assert mine.post(f"/account/devices/sessions/{theirs.pk}/sign-out/").status_code == 404
    assert mine.post(f"/account/devices/tokens/{their_token.pk}/sign-out/").status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_signing_out_normally_removes_the_browser_from_the_list(patient, episode) -> None:
    phone = _signed_in(patient, PHONE)
    phone.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=patient).exists()


def test_the_devices_page_needs_a_sign_in(db) -> None:
    assert Client().get("/account/devices/").status_code == 302
