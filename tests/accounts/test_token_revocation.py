"""A new password or a deactivated account signs every app out (ASVS 3.3.3)."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DeviceToken, User
from care.models import AuditEvent
from tests.accounts.conftest import password_sign_in
from tests.factories import PASSWORD

NEW_PASSWORD = "a-brand-new-long-password-7"


def _app_token(user: User) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def _app_still_signed_in(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/mood/").status_code == 200


def _reset_through_the_emailed_link(email: str) -> None:
    body = str(mail.outbox[-1].body)
    assert mail.outbox[-1].to == [email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body)
    assert link, body
    client = Client()
    form_page = client.get(link.group(1))
    assert form_page.status_code == 302
    done = client.post(
        form_page["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302, done.content


def test_changing_the_password_signs_every_app_out(patient: User, episode) -> None:
    phone, tablet = _app_token(patient), _app_token(patient)
    client = Client()
    password_sign_in(client, patient.username)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _app_still_signed_in(phone)
    assert not _app_still_signed_in(tablet)
    event = AuditEvent.objects.get(action="device_token.revoke_all")
    assert event.detail == {"reason": "password_change", "tokens": 2}


def test_a_password_reset_signs_every_app_out(patient: User, episode) -> None:
    phone = _app_token(patient)
    Client().post("/accounts/password/reset/", {"email": patient.email})
    _reset_through_the_emailed_link(patient.email)
    assert not _app_still_signed_in(phone)


def test_the_reset_a_navigator_sends_signs_every_app_out(
    patient: User, episode, navigator_client
) -> None:
    phone = _app_token(patient)
    response = navigator_client.post(f"/navigator/patients/{patient.pk}/password-reset/")
    assert response.status_code == 302
    _reset_through_the_emailed_link(patient.email)
    assert not _app_still_signed_in(phone)


def test_deactivating_an_account_in_django_admin_signs_every_app_out(
    patient: User, episode, service_admin_client
) -> None:
    _app_token(patient)
    # Django admin reads its date and time fields as local time, which cannot name the hour the
    # clocks go back; the account dates from an ordinary moment whatever BCBT_TEST_NOW is.
    type(patient).objects.filter(pk=patient.pk).update(
        date_joined=datetime.datetime(2026, 1, 5, 12, 0, tzinfo=datetime.UTC)
    )
    patient.refresh_from_db()
    url = f"/admin/accounts/user/{patient.pk}/change/"
    form = service_admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions")
    }
    data.update(
        {
            "is_active": "",
            "last_login_0": "",
            "last_login_1": "",
            # The admin form shows and reads local (London) time, not UTC.
            "date_joined_0": timezone.localtime(patient.date_joined).strftime("%Y-%m-%d"),
            "date_joined_1": timezone.localtime(patient.date_joined).strftime("%H:%M:%S"),
            "service": patient.service_id,
        }
    )
    data = {key: value for key, value in data.items() if value not in (False, "")}
    response = service_admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    patient.refresh_from_db()
    assert not patient.is_active
    # Revoked, not only unusable while inactive: switching the account back on does not
    # bring the phone back.
    assert DeviceToken.objects.get(user=patient).revoked_at is not None


def test_setting_a_password_in_django_admin_signs_every_app_out(
    patient: User, episode, service_admin_client
) -> None:
    phone = _app_token(patient)
    response = service_admin_client.post(
        f"/admin/accounts/user/{patient.pk}/password/",
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _app_still_signed_in(phone)


def test_only_the_account_whose_password_changed_is_signed_out(
    patient: User, other_patient: User, episode, other_episode
) -> None:
    others_phone = _app_token(other_patient)
    Client().post("/accounts/password/reset/", {"email": patient.email})
    _reset_through_the_emailed_link(patient.email)
    assert _app_still_signed_in(others_phone)
