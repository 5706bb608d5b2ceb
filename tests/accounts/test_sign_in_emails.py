"""Sign-in emails are in bcbt's own words, from BCBT_BASE_URL's host, and never go to an
unknown address (issue 20). Read from the locmem outbox."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts.models import User

LIBRARY_WORDS = [
    "Hello from",
    "Thank you for using",
    "127.0.0.1",
    "testserver",
    "example.com",
    "sign up",
    "signup",
    "open browser window",
    "safely ignored",
]
OUR_EMAILS = Path(settings.BASE_DIR) / "templates" / "account" / "email"
LIBRARY_EMAILS = Path(allauth.__file__).parent / "templates" / "account" / "email"


@pytest.fixture(autouse=True)
def _base_url(settings) -> None:
    settings.BCBT_BASE_URL = "https://bcbt.nhs.example"


def assert_our_words(message: mail.EmailMessage) -> None:
    text = f"{message.subject}\n{message.body}"
    for words in LIBRARY_WORDS:
        assert words.lower() not in text.lower(), (words, text)
    assert message.subject.startswith("bcbt: ")
    assert "https://bcbt.nhs.example" in message.body
    assert "Samaritans" in message.body


def test_every_library_email_has_our_own_version() -> None:
    library = {path.name for path in LIBRARY_EMAILS.glob("*.txt")}
    ours = {path.name for path in OUR_EMAILS.glob("*.txt")}
    assert library <= ours, sorted(library - ours)


def test_the_web_sign_in_code_email_is_in_our_words(patient: User) -> None:
    Client().post("/accounts/login/code/", {"email": patient.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [patient.email]
    assert message.subject == "bcbt: Your sign-in code"
    assert_our_words(message)
    assert "works once, for 15 minutes" in message.body
    assert re.search(r"^\s*[A-Z0-9-]{6,}\s*$", str(message.body), re.MULTILINE)


def test_the_app_sign_in_code_email_is_the_same_email(patient: User) -> None:
    from rest_framework.test import APIClient

    APIClient().post("/api/v1/auth/code/", {"email": patient.email}, format="json")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "bcbt: Your sign-in code"
    assert_our_words(mail.outbox[0])


def test_the_password_reset_email_is_in_our_words(patient: User) -> None:
    Client().post("/accounts/password/reset/", {"email": patient.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "bcbt: Set a new password"
    assert_our_words(message)
    assert "https://bcbt.nhs.example/accounts/password/reset/key/" in message.body


@pytest.mark.parametrize("path", ["/accounts/login/code/", "/accounts/password/reset/"])
def test_no_email_goes_to_an_unknown_address(db: None, path: str) -> None:
    Client().post(path, {"email": "nobody@example.org"})
    assert mail.outbox == []


def test_the_page_after_a_code_request_is_the_same_for_an_unknown_address(
    patient: User,
) -> None:
    def page_after(email: str) -> str:
        client = Client()
        response = client.post("/accounts/login/code/", {"email": email}, follow=True)
        assert response.status_code == 200
        page = response.content.decode().replace(email, "EMAIL")
        # The form's CSRF token and the scripts' nonce differ from one request to the next.
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        return re.sub(r'nonce="[^"]+"', "", page)

    assert page_after(patient.email) == page_after("nobody@example.org")
