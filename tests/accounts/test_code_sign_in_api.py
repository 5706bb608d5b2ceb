"""Sign-in for apps by emailed code: POST /api/v1/auth/code/ and /api/v1/auth/code/confirm/."""

from __future__ import annotations

import datetime
import re

import pyotp
import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AppSignInCode, DeviceToken, User
from care.models import AuditEvent

CODE_URL = "/api/v1/auth/code/"
CONFIRM_URL = "/api/v1/auth/code/confirm/"


def ask(email: str, client: APIClient | None = None):
    return (client or APIClient()).post(CODE_URL, {"email": email}, format="json")


def confirm(email: str, code: str, **extra: str):
    return APIClient().post(CONFIRM_URL, {"email": email, "code": code, **extra}, format="json")


def code_from_last_email() -> str:
    match = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_known_address_gets_202_and_a_code(patient: User) -> None:
    response = ask(patient.email)
    assert response.status_code == 202
    assert "If this email address belongs to a bcbt account" in response.json()["detail"]
    assert [message.to for message in mail.outbox] == [[patient.email]]
    assert AppSignInCode.objects.filter(user=patient).count() == 1
    # Only a keyed hash of the code is kept.
    assert code_from_last_email() not in AppSignInCode.objects.get().code_hash


def test_an_unknown_address_gets_the_same_202_and_no_email(db: None, patient: User) -> None:
    known = ask(patient.email)
    mail.outbox.clear()
    unknown = ask("nobody@example.org")
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert mail.outbox == []


def test_the_code_signs_the_app_in_as_the_token_endpoint_does(patient: User, episode) -> None:
    ask(patient.email)
    response = confirm(patient.email, code_from_last_email(), device_name="Pixel 8")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at", "refresh_token", "refresh_expires_at"}
    assert DeviceToken.objects.get(user=patient).name == "Pixel 8"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/mood/").status_code == 200
    assert AuditEvent.objects.filter(action="device_token.issue", actor=patient).exists()


def test_the_address_is_matched_whatever_its_case(patient: User, episode) -> None:
    ask(patient.email.upper())
    assert confirm(patient.email.upper(), code_from_last_email()).status_code == 200


def test_a_code_works_once(patient: User, episode) -> None:
    ask(patient.email)
    code = code_from_last_email()
    assert confirm(patient.email, code).status_code == 200
    again = confirm(patient.email, code)
    assert again.status_code == 401
    assert again.json()["code"] == "code_invalid"


def test_a_code_expires_after_15_minutes(patient: User) -> None:
    ask(patient.email)
    code = code_from_last_email()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert confirm(patient.email, code).status_code == 401


def test_a_new_code_replaces_the_old_one(patient: User, episode) -> None:
    ask(patient.email)
    old = code_from_last_email()
    ask(patient.email)
    new = code_from_last_email()
    if old != new:
        assert confirm(patient.email, old).status_code == 401
    assert confirm(patient.email, new).status_code == 200


def test_three_wrong_codes_spend_the_code(patient: User) -> None:
    ask(patient.email)
    code = code_from_last_email()
    for wrong in ("WRONG1", "WRONG2", "WRONG3"):
        response = confirm(patient.email, wrong)
        assert response.status_code == 401
        assert response.json()["code"] == "code_invalid"
    assert confirm(patient.email, code).status_code == 401


def test_a_code_for_another_address_does_not_sign_in(patient: User, other_patient: User) -> None:
    ask(patient.email)
    assert confirm(other_patient.email, code_from_last_email()).status_code == 401


def test_wrong_codes_meet_the_lockout(patient: User, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    ask(patient.email)
    code = code_from_last_email()
    confirm(patient.email, "WRONG1")
    confirm(patient.email, "WRONG2")
    ask(patient.email)
    code = code_from_last_email()
    locked = confirm(patient.email, "WRONG3")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    # Locked out: even the right code gets no token until the pause ends, and no new code.
    assert confirm(patient.email, code).status_code == 429
    assert ask(patient.email).status_code == 429
    assert not DeviceToken.objects.filter(user=patient).exists()


def test_code_emails_are_capped_per_address(patient: User, settings) -> None:
    settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS = 2
    for _ in range(4):
        assert ask(patient.email).status_code == 202
    assert len(mail.outbox) == 2


def test_a_request_held_back_by_the_cap_leaves_the_last_code_working(
    patient: User, episode, settings
) -> None:
    settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS = 1
    ask(patient.email)
    code = code_from_last_email()
    assert ask(patient.email).status_code == 202
    assert len(mail.outbox) == 1
    assert confirm(patient.email, code).status_code == 200


def test_a_malformed_address_is_400(db: None) -> None:
    response = ask("not an email")
    assert response.status_code == 400
    assert "email" in response.json()


def test_a_missing_code_is_400(db: None) -> None:
    response = APIClient().post(CONFIRM_URL, {"email": "a@example.org"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


@pytest.fixture
def staff_mfa(settings) -> None:
    settings.BCBT_REQUIRE_STAFF_MFA = True


def test_staff_get_no_token_from_a_code_without_their_second_factor(
    staff_mfa: None, pwp: User
) -> None:
    secret = generate_totp_secret()
    TOTP.activate(pwp, secret)
    ask(pwp.email)
    response = confirm(pwp.email, code_from_last_email())
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
    assert not DeviceToken.objects.filter(user=pwp).exists()


def test_staff_without_two_step_set_up_get_no_token_from_a_code(
    staff_mfa: None, navigator: User
) -> None:
    ask(navigator.email)
    response = confirm(navigator.email, code_from_last_email())
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_setup_required"
    assert not DeviceToken.objects.filter(user=navigator).exists()


def test_staff_with_the_code_and_their_second_factor_get_a_token(
    staff_mfa: None, pwp: User
) -> None:
    secret = generate_totp_secret()
    TOTP.activate(pwp, secret)
    ask(pwp.email)
    response = confirm(pwp.email, code_from_last_email(), otp=pyotp.TOTP(secret).now())
    assert response.status_code == 200
    assert DeviceToken.objects.get(user=pwp).second_factor_verified
