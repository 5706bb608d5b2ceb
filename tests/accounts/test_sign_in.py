from __future__ import annotations

import datetime

import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD


def _login(client: Client, login: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=ip)


def test_patient_signs_in_with_username_and_lands_home(patient, episode) -> None:
    client = Client()
    response = _login(client, patient.username, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/me/"


def test_patient_signs_in_with_email(patient, episode) -> None:
    response = _login(Client(), patient.email, PASSWORD)
    assert response.status_code == 302


def test_wrong_password_gives_a_clear_error_and_records_the_attempt(patient) -> None:
    response = _login(Client(), patient.username, "wrong-password-here")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AccessAttempt.objects.filter(username=patient.username).exists()


def test_five_wrong_passwords_lock_out_that_username_from_that_address(patient) -> None:
    client = Client()
    for _ in range(5):
        _login(client, patient.username, "wrong-password-here")
    response = _login(client, patient.username, PASSWORD)
    assert response.status_code == 429
    assert "paused for 15 minutes" in response.content.decode()


def test_lockout_does_not_touch_another_user_on_the_same_address(
    patient, other_patient, other_episode
) -> None:
    for _ in range(5):
        _login(Client(), patient.username, "wrong-password-here")
    response = _login(Client(), other_patient.username, PASSWORD)
    assert response.status_code == 302


def test_lockout_does_not_touch_the_same_user_on_another_address(patient, episode) -> None:
    for _ in range(5):
        _login(Client(), patient.username, "wrong-password-here", ip="10.0.0.1")
    response = _login(Client(), patient.username, PASSWORD, ip="10.9.9.9")
    assert response.status_code == 302


def test_lockout_cools_off_and_is_never_permanent(patient, episode) -> None:
    for _ in range(5):
        _login(Client(), patient.username, "wrong-password-here")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = _login(Client(), patient.username, PASSWORD)
    assert response.status_code == 302


def test_nobody_can_sign_up_on_their_own(db) -> None:
    response = Client().get("/accounts/signup/")
    assert response.status_code in (200, 302)
    assert "sign up closed" in response.content.decode().lower() or response.status_code == 302


def test_wrong_password_message_says_what_to_do_next(patient) -> None:
    page = _login(Client(), patient.username, "wrong-password-here").content.decode()
    assert "The username or password is not right" in page
    assert "sign-in pauses for 15 minutes" in page


def test_wrong_password_by_email_says_email_or_password(patient) -> None:
    page = _login(Client(), patient.email, "wrong-password-here").content.decode()
    assert "The email address or password is not right" in page


def test_lockout_page_shows_when_the_pause_ends(patient) -> None:
    start = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _login(Client(), patient.username, "wrong-password-here")
    # Five minutes later the pause still ends 15 minutes after the last wrong password
    # (14:15 in London, which is GMT in March), not 15 minutes from now.
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False):
        response = _login(Client(), patient.username, PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429
    assert "try again after 14:15" in page
    assert "in about 10 minutes" in page
    assert "/accounts/login/code/" in page
    assert "/support/" in page


def test_lockout_end_time_is_in_local_summer_time(patient) -> None:
    start = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            response = _login(Client(), patient.username, "wrong-password-here")
    assert "try again after 10:15" in response.content.decode()


def test_api_lockout_says_when_to_retry(patient) -> None:
    from django.test import RequestFactory

    from accounts.lockout import lockout_response

    start = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _login(Client(), patient.username, "wrong-password-here")
    with time_machine.travel(start + datetime.timedelta(minutes=3), tick=False):
        request = RequestFactory().post(
            "/api/v1/auth/token/", {"username": patient.username}, REMOTE_ADDR="10.0.0.1"
        )
        response = lockout_response(request)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(12 * 60)


def test_a_legitimate_user_on_the_same_address_signs_in_during_a_lockout(
    patient, other_patient, other_episode
) -> None:
    for _ in range(7):
        _login(Client(), patient.username, "wrong-password-here", ip="192.0.2.10")
    assert _login(Client(), patient.username, PASSWORD, ip="192.0.2.10").status_code == 429
    response = _login(Client(), other_patient.email, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302


def test_lockout_by_email_and_by_username_are_the_same_person_for_the_navigator(
    patient, navigator_client, episode
) -> None:
    for _ in range(5):
        _login(Client(), patient.email.upper(), "wrong-password-here")
    page = navigator_client.get("/navigator/").content.decode()
    assert "Sign-in paused after wrong passwords (1)" in page
    assert patient.display_name in page


def test_the_sign_in_page_links_to_the_help_form_and_sign_in_codes(db) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/support/"' in page
    assert 'href="/accounts/login/code/"' in page
