"""Sign-in by a code sent by email (allauth's login by code), with clear failure messages."""

from __future__ import annotations

import datetime
import re

import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone


def _request_code(client: Client, email: str) -> str | None:
    response = client.post("/accounts/login/code/", {"email": email})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/confirm/")
    if not mail.outbox:
        return None
    match = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    return match.group(1) if match else None


def test_a_patient_signs_in_with_an_emailed_code(patient, episode) -> None:
    client = Client()
    code = _request_code(client, patient.email)
    assert code, mail.outbox[-1].body
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/me/"


def test_the_code_pages_are_styled_and_plain(patient) -> None:
    client = Client()
    request_page = client.get("/accounts/login/code/").content.decode()
    assert "Email me a sign-in code" in request_page
    assert "nhsuk-button" in request_page
    _request_code(client, patient.email)
    confirm_page = client.get("/accounts/login/code/confirm/").content.decode()
    assert "Enter your sign-in code" in confirm_page
    assert 'for="id_code"' in confirm_page


def test_a_code_works_only_once(patient, episode) -> None:
    client = Client()
    code = _request_code(client, patient.email)
    client.post("/accounts/login/code/confirm/", {"code": code})
    client.post("/accounts/logout/")
    again = client.post("/accounts/login/code/confirm/", {"code": code}, follow=True)
    page = again.content.decode()
    assert "can no longer be used" in page
    assert not again.wsgi_request.user.is_authenticated


def test_an_expired_code_says_it_expired(patient) -> None:
    client = Client()
    code = _request_code(client, patient.email)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = client.post("/accounts/login/code/confirm/", {"code": code}, follow=True)
    page = response.content.decode()
    assert "has expired" in page or "can no longer be used" in page
    assert not response.wsgi_request.user.is_authenticated
    assert response.redirect_chain[-1][0].startswith("/accounts/login/code/")


def test_a_wrong_code_is_explained_and_three_wrong_codes_spend_it(patient) -> None:
    client = Client()
    code = _request_code(client, patient.email)
    wrong = client.post("/accounts/login/code/confirm/", {"code": "WRONG1"})
    assert "That code is not right" in wrong.content.decode()
    client.post("/accounts/login/code/confirm/", {"code": "WRONG2"})
    last = client.post("/accounts/login/code/confirm/", {"code": "WRONG3"}, follow=True)
    assert "stopped working" in last.content.decode()
    after = client.post("/accounts/login/code/confirm/", {"code": code}, follow=True)
    assert not after.wsgi_request.user.is_authenticated


def test_asking_for_a_code_for_an_unknown_email_looks_the_same(patient) -> None:
    known, unknown = Client(), Client()
    known.post("/accounts/login/code/", {"email": patient.email})
    unknown.post("/accounts/login/code/", {"email": "nobody@example.org"})
    known_page = known.get("/accounts/login/code/confirm/").content.decode()
    unknown_page = unknown.get("/accounts/login/code/confirm/").content.decode()
    assert "Enter your sign-in code" in known_page
    assert "Enter your sign-in code" in unknown_page
