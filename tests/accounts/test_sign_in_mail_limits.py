"""One counter per account for lockout, and caps on the sign-in email anyone can make us send."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.conftest import password_sign_in


def test_username_and_email_share_one_lockout_counter(patient: User, settings) -> None:
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login = patient.username if attempt % 2 else patient.email.upper()
        password_sign_in(client, login, password="not the password")
    assert password_sign_in(client, patient.username).status_code == 429


def test_the_token_endpoint_shares_the_counter_by_account(patient: User, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(
            "/api/v1/auth/token/",
            {"username": patient.email, "password": "wrong"},
            format="json",
            REMOTE_ADDR="10.0.0.1",
        )
    assert password_sign_in(Client(), patient.username).status_code == 429


def test_no_email_goes_to_an_unknown_address(db: None) -> None:
    Client().post("/accounts/login/code/", {"email": "nobody@example.net"})
    Client().post("/accounts/password/reset/", {"email": "nobody@example.net"})
    assert mail.outbox == []


def test_sign_in_email_to_one_address_is_capped_per_hour(patient: User, settings) -> None:
    for number in range(settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS + 3):
        # A different client address each time: the cap is on the address written to.
        Client().post(
            "/accounts/password/reset/", {"email": patient.email}, REMOTE_ADDR=f"10.0.1.{number}"
        )
    assert len(mail.outbox) == settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS


def test_sign_in_email_from_one_client_address_is_capped_per_hour(settings, service) -> None:
    from tests import factories

    settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_IP = 3
    patients = factories.PatientFactory.create_batch(5, service=service)
    for patient in patients:
        Client().post("/accounts/login/code/", {"email": patient.email}, REMOTE_ADDR="10.9.9.9")
    assert len(mail.outbox) == 3
