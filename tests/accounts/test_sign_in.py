from __future__ import annotations

import datetime

import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD


def _login(client: Client, login: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=ip)


def test_patient_signs_in_with_username_and_lands_home(patient, episode) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = _login(client, patient.username, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/me/"


def test_patient_signs_in_with_email(patient, episode) -> None:  # type: ignore[no-untyped-def]
    response = _login(Client(), patient.email, PASSWORD)
    assert response.status_code == 302


def test_wrong_password_gives_a_clear_error_and_records_the_attempt(patient) -> None:  # type: ignore[no-untyped-def]
    response = _login(Client(), patient.username, "wrong-password-here")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AccessAttempt.objects.filter(username=patient.username).exists()


def test_five_wrong_passwords_lock_out_that_username_from_that_address(patient) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(5):
        _login(client, patient.username, "wrong-password-here")
    response = _login(client, patient.username, PASSWORD)
    assert response.status_code == 429
    assert "paused for 15 minutes" in response.content.decode()


def test_lockout_does_not_touch_another_user_on_the_same_address(
    patient, other_patient, other_episode
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        _login(Client(), patient.username, "wrong-password-here")
    response = _login(Client(), other_patient.username, PASSWORD)
    assert response.status_code == 302


def test_lockout_does_not_touch_the_same_user_on_another_address(patient, episode) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        _login(Client(), patient.username, "wrong-password-here", ip="10.0.0.1")
    response = _login(Client(), patient.username, PASSWORD, ip="10.9.9.9")
    assert response.status_code == 302


def test_lockout_cools_off_and_is_never_permanent(patient, episode) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        _login(Client(), patient.username, "wrong-password-here")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = _login(Client(), patient.username, PASSWORD)
    assert response.status_code == 302


def test_nobody_can_sign_up_on_their_own(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/accounts/signup/")
    assert response.status_code in (200, 302)
    assert "sign up closed" in response.content.decode().lower() or response.status_code == 302
