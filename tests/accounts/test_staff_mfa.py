"""Staff need a second factor (TOTP from an authenticator app) when BCBT_REQUIRE_STAFF_MFA is on."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from tests.accounts.conftest import password_sign_in, totp_code
from tests.factories import PASSWORD

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _require_staff_mfa(settings):
    settings.BCBT_REQUIRE_STAFF_MFA = True


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("pwp_client", "/clinician/"),
        ("navigator_client", "/navigator/"),
        ("service_admin_client", "/admin/"),
        ("service_admin_client", "/service/"),
    ],
)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(request, persona, page) -> None:
    client = request.getfixturevalue(persona)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_staff_api_calls_without_an_authenticator_are_refused(pwp_client) -> None:
    response = pwp_client.get("/api/v1/patients/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_the_set_up_and_sign_out_pages_stay_open(pwp_client) -> None:
    # force_login has no recent password, so allauth asks for it again first: still not a loop.
    response = pwp_client.get(SETUP)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/reauthenticate/")
    assert pwp_client.get("/help/").status_code == 200
    assert pwp_client.post("/accounts/logout/").status_code == 302


def test_patients_never_need_an_authenticator(patient_client) -> None:
    assert patient_client.get("/me/").status_code == 200


def test_staff_with_an_authenticator_use_staff_pages_once_this_session_gave_a_code(
    pwp, pwp_client
) -> None:
    secret = _with_totp(pwp)
    # force_login signs in without the second step: the code is asked for before any page.
    asked = pwp_client.get("/clinician/")
    assert asked["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fclinician%2F"
    done = pwp_client.post(asked["Location"], {"code": totp_code(secret)})
    assert done["Location"] == "/clinician/"
    assert pwp_client.get("/clinician/").status_code == 200


def test_the_requirement_can_be_switched_off(settings, pwp_client) -> None:
    settings.BCBT_REQUIRE_STAFF_MFA = False
    assert pwp_client.get("/clinician/").status_code == 200


def test_a_pwp_sets_up_totp_and_is_shown_recovery_codes(pwp) -> None:
    client = Client()
    password_sign_in(client, pwp.username)
    assert client.get("/clinician/")["Location"] == SETUP
    # allauth asks for the password again before a second factor is added.
    reauthenticate = client.get(SETUP)
    assert reauthenticate["Location"].startswith("/accounts/reauthenticate/")
    client.post(reauthenticate["Location"], {"password": PASSWORD})
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "Set up two-step verification" in page.content.decode()
    secret = client.session["mfa.totp.secret"]
    wrong = client.post(SETUP, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    response = client.post(SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    codes_page = client.get(response["Location"]).content.decode()
    assert "Recovery codes" in codes_page
    assert Authenticator.objects.filter(user=pwp, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/clinician/").status_code == 200


def test_signing_in_with_totp_asks_for_the_code(pwp) -> None:
    secret = _with_totp(pwp)
    client = Client()
    response = password_sign_in(client, pwp.username)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Without the code there is no session yet.
    assert client.get("/clinician/").status_code == 302
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    assert client.get("/clinician/").status_code == 200


def test_a_recovery_code_signs_in_once(pwp) -> None:
    _with_totp(pwp)
    codes = RecoveryCodes.activate(pwp).get_unused_codes()
    client = Client()
    password_sign_in(client, pwp.username)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/clinician/").status_code == 200
    again = Client()
    password_sign_in(again, pwp.username)
    assert again.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200
    assert again.get("/clinician/").status_code == 302


def test_the_admin_sign_in_form_cannot_skip_the_second_step(service_admin) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _wrong_code(secret: str) -> str:
    return "000000" if totp_code(secret) != "000000" else "111111"


def test_five_wrong_codes_on_the_web_stop_even_the_right_code_for_a_while(pwp) -> None:
    secret = _with_totp(pwp)
    client = Client()
    password_sign_in(client, pwp.username)
    for _ in range(5):
        assert (
            client.post("/accounts/2fa/authenticate/", {"code": _wrong_code(secret)}).status_code
            == 200
        )
    refused = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert refused.status_code == 200
    assert "Too many wrong codes" in refused.content.decode()
    assert client.get("/clinician/").status_code == 302
    # The pause ends by itself: 15 minutes later the right code works.
    with time_machine.travel(datetime.timedelta(minutes=16)):
        fresh = Client()
        password_sign_in(fresh, pwp.username, ip="10.0.0.2")
        done = fresh.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
        assert done.status_code == 302
        assert fresh.get("/clinician/").status_code == 200


def test_wrong_codes_on_the_web_and_in_the_api_share_one_count(pwp) -> None:
    secret = _with_totp(pwp)
    client = Client()
    password_sign_in(client, pwp.username)
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": _wrong_code(secret)})
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": pwp.username, "password": PASSWORD, "otp": totp_code(secret)},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.3",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "otp_locked"
