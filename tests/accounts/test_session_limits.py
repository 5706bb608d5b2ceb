"""Idle staff sessions end after 30 minutes; every session ends 12 hours after sign-in."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.utils import timezone

from tests.accounts.conftest import password_sign_in

START = datetime.datetime(2026, 3, 28, 22, 0, tzinfo=datetime.UTC)


def _signed_in(user, page: str) -> Client:
    client = Client()
    assert password_sign_in(client, user.username).status_code == 302
    assert client.get(page).status_code == 200
    return client


def test_an_idle_pwp_is_signed_out_after_30_minutes(pwp) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(pwp, "/clinician/")
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/clinician/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/clinician/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        page = client.get(response["Location"]).content.decode()
        assert "30 minutes without activity" in page


def test_an_active_navigator_stays_signed_in(navigator) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(navigator, "/navigator/")
        for _ in range(6):
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/navigator/").status_code == 200


def test_an_idle_patient_keeps_their_session(patient, episode) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(patient, "/me/")
        clock.shift(datetime.timedelta(hours=3))
        assert client.get("/me/").status_code == 200


def test_every_session_ends_after_12_hours_even_when_active(patient, episode) -> None:
    # Crosses the clocks going forward in London (29 March 2026) and midnight.
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(patient, "/me/")
        for _ in range(11):
            clock.shift(datetime.timedelta(hours=1))
            assert client.get("/me/").status_code == 200
        clock.shift(datetime.timedelta(minutes=61))
        response = client.get("/me/")
        assert response.status_code == 302
        assert "signed out after 12 hours" in client.get(response["Location"]).content.decode()


def test_limits_also_apply_to_sessions_made_without_the_sign_in_form(pwp_client) -> None:
    assert pwp_client.get("/clinician/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=45)):
        assert pwp_client.get("/clinician/").status_code == 302
