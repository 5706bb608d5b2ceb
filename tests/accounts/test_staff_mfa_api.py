"""Staff never reach the API without their second factor: not by token, not by session."""

from __future__ import annotations

import datetime

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import token_hash
from accounts.models import DeviceToken, User
from tests.accounts.conftest import password_sign_in
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
CASELOAD_URL = "/api/v1/patients/"


@pytest.fixture(autouse=True)
def _require_staff_mfa(settings):
    settings.BCBT_REQUIRE_STAFF_MFA = True


def _with_totp(user: User) -> pyotp.TOTP:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return pyotp.TOTP(secret)


def _request_token(username: str, **extra: str):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json"
    )


def _api_with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _wrong_code(totp: pyotp.TOTP) -> str:
    return "000000" if totp.now() != "000000" else "111111"


def test_pwp_cannot_get_a_token_without_the_second_factor(pwp: User, episode) -> None:
    _with_totp(pwp)
    response = _request_token(pwp.username)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
    assert not DeviceToken.objects.filter(user=pwp).exists()


def test_pwp_without_two_step_set_up_is_told_to_set_it_up_on_the_web(pwp: User) -> None:
    response = _request_token(pwp.username, otp="123456")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "mfa_setup_required"
    assert "two-step verification" in body["detail"]
    assert not DeviceToken.objects.filter(user=pwp).exists()


@pytest.mark.parametrize("persona", ["navigator", "service_admin"])
def test_every_staff_role_needs_the_second_factor_for_a_token(request, persona) -> None:
    user = request.getfixturevalue(persona)
    assert _request_token(user.username).status_code == 403
    _with_totp(user)
    assert _request_token(user.username).status_code == 401


def test_pwp_with_a_wrong_code_gets_no_token(pwp: User) -> None:
    totp = _with_totp(pwp)
    response = _request_token(pwp.username, otp=_wrong_code(totp))
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"
    assert not DeviceToken.objects.filter(user=pwp).exists()


def test_wrong_codes_count_towards_the_lockout(pwp: User, settings) -> None:
    totp = _with_totp(pwp)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _request_token(pwp.username, otp=_wrong_code(totp))
    response = _request_token(pwp.username, otp=totp.now())
    assert response.status_code == 429


def test_pwp_with_the_right_code_gets_a_token_that_reads_the_caseload(pwp: User, episode) -> None:
    totp = _with_totp(pwp)
    response = _request_token(pwp.username, otp=totp.now())
    assert response.status_code == 200
    assert _api_with_token(response.json()["token"]).get(CASELOAD_URL).status_code == 200


def test_a_totp_code_works_once(pwp: User) -> None:
    totp = _with_totp(pwp)
    code = totp.now()
    assert _request_token(pwp.username, otp=code).status_code == 200
    assert _request_token(pwp.username, otp=code).status_code == 401


def test_a_recovery_code_gets_a_token_once(pwp: User) -> None:
    _with_totp(pwp)
    code = RecoveryCodes.activate(pwp).get_unused_codes()[0]
    assert _request_token(pwp.username, otp=code).status_code == 200
    assert _request_token(pwp.username, otp=code).status_code == 401


def test_a_staff_token_issued_without_the_second_factor_is_refused(pwp: User, episode) -> None:
    # A token from before the second factor was asked for (or issued while it was off).
    key = "an-old-staff-token"
    DeviceToken.objects.create(
        user=pwp,
        key_hash=token_hash(key),
        expires_at=timezone.now() + datetime.timedelta(days=10),
    )
    response = _api_with_token(key).get(CASELOAD_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "mfa_required"
    mood_url = f"/api/v1/patients/{episode.patient_id}/mood/"
    assert _api_with_token(key).get(mood_url).status_code == 401


def test_a_patient_needs_no_second_factor(patient: User, episode) -> None:
    response = _request_token(patient.username)
    assert response.status_code == 200
    assert _api_with_token(response.json()["token"]).get("/api/v1/mood/").status_code == 200


def test_a_patient_who_set_up_totp_gives_the_code_as_on_the_web(patient: User) -> None:
    totp = _with_totp(patient)
    assert _request_token(patient.username).status_code == 401
    assert _request_token(patient.username, otp=totp.now()).status_code == 200


def test_with_the_requirement_off_staff_without_totp_get_tokens(settings, pwp: User) -> None:
    settings.BCBT_REQUIRE_STAFF_MFA = False
    assert _request_token(pwp.username).status_code == 200


def test_a_staff_session_that_skipped_the_second_factor_cannot_call_the_api(
    pwp: User, episode
) -> None:
    # TOTP is set up, but this session never passed it (force_login stands for any path
    # that signs in without allauth's second step).
    _with_totp(pwp)
    client = Client()
    client.force_login(pwp)
    response = client.get(CASELOAD_URL)
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_a_staff_session_that_passed_the_second_factor_calls_the_api(pwp: User, episode) -> None:
    totp = _with_totp(pwp)
    client = Client()
    password_sign_in(client, pwp.username)
    assert client.post("/accounts/2fa/authenticate/", {"code": totp.now()}).status_code == 302
    assert client.get(CASELOAD_URL).status_code == 200


def test_a_staff_session_that_skipped_the_second_factor_cannot_open_staff_pages(pwp: User) -> None:
    _with_totp(pwp)
    client = Client()
    client.force_login(pwp)
    response = client.get("/clinician/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_recovery_codes_alone_are_not_a_second_factor_set_up(pwp: User) -> None:
    RecoveryCodes.activate(pwp)
    assert Authenticator.objects.filter(user=pwp).count() == 1
    assert _request_token(pwp.username).status_code == 403
