"""Sign-in emails never make a page fail (issue #16 item 6).

The email provider is really down here: Django's SMTP backend is pointed at a local port where
nothing listens, so every send is refused exactly as it is when the relay is down.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import SignInLink, SupportKind, SupportRequest
from care.models import AuditEvent
from scripts.faults._servers import free_port


@pytest.fixture
def email_provider_down(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2


def _browser() -> Client:
    # As in production: a server error is a page, not an exception raised into the test.
    return Client(raise_request_exception=False)


def _says_what_to_do(content: bytes) -> None:
    page = content.decode()
    assert "could not send" in page
    assert "/support/" in page
    assert "call your" in page.lower()


def _queue_item(patient: Any) -> SupportRequest:
    return SupportRequest.objects.get(patient=patient, kind=SupportKind.SIGN_IN_EMAIL_FAILED)


def test_a_sign_in_code_that_cannot_be_emailed_says_so_and_what_to_do(
    email_provider_down, patient, episode
) -> None:
    response = _browser().post("/accounts/login/code/", {"email": patient.email})
    assert response.status_code == 503
    _says_what_to_do(response.content)


def test_a_password_reset_that_cannot_be_emailed_says_so_and_what_to_do(
    email_provider_down, patient, episode
) -> None:
    response = _browser().post("/accounts/password/reset/", {"email": patient.email})
    assert response.status_code == 503
    _says_what_to_do(response.content)


def test_a_failed_sign_in_email_appears_in_the_navigators_queue_with_technical_data_only(
    email_provider_down, patient, episode, navigator_client
) -> None:
    _browser().post("/accounts/login/code/", {"email": patient.email})
    _browser().post("/accounts/password/reset/", {"email": patient.email})
    item = _queue_item(patient)
    assert "could not be sent" in item.message
    assert "ConnectionRefusedError" in item.message
    assert patient.email not in item.message
    page = navigator_client.get("/navigator/").content.decode()
    assert "Sign-in email could not be sent" in page
    assert "ConnectionRefusedError" in page
    assert AuditEvent.objects.filter(action="sign_in_email.failed", patient=patient).count() == 2


def test_the_navigators_sign_in_link_that_cannot_be_emailed_leaves_no_usable_link(
    email_provider_down, patient, episode, navigator, navigator_client
) -> None:
    navigator_client.raise_request_exception = False
    response = navigator_client.post(f"/navigator/patients/{patient.pk}/sign-in-link/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be sent" in page
    assert "phone" in page
    # No link exists that nobody received (and no row breaks its own check constraint).
    assert SignInLink.objects.filter(user=patient).count() == 0
    assert _queue_item(patient).message


def test_the_navigators_password_reset_that_cannot_be_emailed_says_so(
    email_provider_down, patient, episode, navigator_client
) -> None:
    navigator_client.raise_request_exception = False
    response = navigator_client.post(
        f"/navigator/patients/{patient.pk}/password-reset/", follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be sent" in page
    assert _queue_item(patient).message
