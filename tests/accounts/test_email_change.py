"""Changing the email address cannot take an account over (issue 13, item 3)."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client

from accounts.models import User
from care.models import AuditEvent
from tests.accounts.conftest import password_sign_in
from tests.factories import PASSWORD

ATTACKER = "attacker@example.net"


def _signed_in(user: User) -> Client:
    """Signed in, and the password given again just now, as changing the address asks."""
    client = Client()
    password_sign_in(client, user.username)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    return client


def test_adding_an_email_needs_the_password_again(patient: User) -> None:
    client = Client()
    client.force_login(patient)  # A session with no recent password: a borrowed phone.
    response = client.post("/accounts/email/", {"action_add": "", "email": ATTACKER})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email=ATTACKER).exists()


def test_an_unverified_address_cannot_be_made_primary(patient: User) -> None:
    client = _signed_in(patient)
    client.post("/accounts/email/", {"action_add": "", "email": ATTACKER})
    assert EmailAddress.objects.filter(email=ATTACKER, verified=False).exists()
    client.post("/accounts/email/", {"action_primary": "", "email": ATTACKER})
    patient.refresh_from_db()
    assert patient.email != ATTACKER
    assert not EmailAddress.objects.filter(email=ATTACKER, primary=True).exists()


def test_no_sign_in_code_goes_to_an_address_that_is_not_verified(patient: User) -> None:
    _signed_in(patient).post("/accounts/email/", {"action_add": "", "email": ATTACKER})
    assert EmailAddress.objects.filter(email=ATTACKER, verified=False).exists()
    mail.outbox.clear()
    response = Client().post("/accounts/login/code/", {"email": ATTACKER})
    assert response.status_code == 302  # The same answer as for any address.
    assert mail.outbox == []


def test_no_reset_link_goes_to_an_address_that_is_not_verified(patient: User) -> None:
    _signed_in(patient).post("/accounts/email/", {"action_add": "", "email": ATTACKER})
    mail.outbox.clear()
    Client().post("/accounts/password/reset/", {"email": ATTACKER})
    assert mail.outbox == []


def test_a_verified_new_address_replaces_the_old_one_which_is_told(patient: User) -> None:
    old_address = patient.email
    client = _signed_in(patient)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["new@example.org"]
    link = re.search(r"/accounts/confirm-email/[^\s]+/", str(confirmation.body))
    assert link
    client.post(link.group(0))
    patient.refresh_from_db()
    assert patient.email == "new@example.org"
    assert any(old_address in message.to for message in mail.outbox[1:]), [
        (m.to, m.subject) for m in mail.outbox
    ]
    assert AuditEvent.objects.filter(action="account.email_change", actor=patient).exists()


def test_staff_who_skipped_the_second_factor_cannot_open_the_email_page(
    settings, pwp: User
) -> None:
    settings.BCBT_REQUIRE_STAFF_MFA = True
    TOTP.activate(pwp, generate_totp_secret())
    client = Client()
    client.force_login(pwp)
    for path in ("/accounts/email/", "/accounts/password/change/"):
        response = client.get(path)
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/"), path
    assert client.post("/accounts/logout/").status_code == 302


def test_staff_without_an_authenticator_only_reach_the_set_up_pages(settings, pwp: User) -> None:
    settings.BCBT_REQUIRE_STAFF_MFA = True
    client = Client()
    password_sign_in(client, pwp.username)
    assert client.get("/accounts/email/")["Location"] == "/accounts/2fa/totp/activate/"
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
