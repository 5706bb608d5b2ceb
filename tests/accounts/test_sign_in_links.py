"""Single-use sign-in links a navigator emails to a patient."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import SignInLink, SupportStatus
from accounts.services import support_request_submit
from care.models import AuditEvent
from tests.accounts.conftest import link_from_last_email


def _send(navigator_client: Client, patient, **extra):
    return navigator_client.post(f"/navigator/patients/{patient.pk}/sign-in-link/", extra)


def test_navigator_emails_a_link_and_opening_it_does_not_spend_it(
    navigator_client, patient, episode
) -> None:
    response = _send(navigator_client, patient)
    assert response.status_code == 302
    assert mail.outbox[-1].to == [patient.email]
    url = link_from_last_email()
    link = SignInLink.objects.get(user=patient)
    # Only a hash is stored: the token in the email is not in the database.
    assert url.rstrip("/").rsplit("/", 1)[-1] not in link.token_hash
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert "Sign in" in page.content.decode()
    link.refresh_from_db()
    assert link.used_at is None


def test_the_link_signs_the_patient_in_once(navigator_client, patient, episode) -> None:
    _send(navigator_client, patient)
    url = link_from_last_email()
    client = Client()
    response = client.post(url)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/me/"
    again = Client().post(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert AuditEvent.objects.filter(action="sign_in_link.use", patient=patient).count() == 1


def test_an_expired_link_says_so_and_does_not_sign_in(navigator_client, patient, episode) -> None:
    _send(navigator_client, patient)
    url = link_from_last_email()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        client = Client()
        response = client.post(url)
        assert response.status_code == 410
        assert "has expired" in response.content.decode()
        assert not client.get("/me/").wsgi_request.user.is_authenticated


def test_a_link_still_works_just_before_it_expires(navigator_client, patient, episode) -> None:
    _send(navigator_client, patient)
    url = link_from_last_email()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=59)):
        assert Client().post(url).status_code == 302


def test_a_made_up_link_is_refused(db) -> None:
    response = Client().post("/accounts/sign-in-link/not-a-real-token/")
    assert response.status_code == 404
    assert "does not work" in response.content.decode()


def test_using_a_link_closes_the_help_request_it_answered(
    navigator_client, patient, episode
) -> None:
    support_request = support_request_submit(
        contact_name="Charlie",
        contact=patient.email,
        phone_number="",
        problem="forgotten_password",
        message="",
    )
    _send(navigator_client, patient, support_request=support_request.pk)
    support_request.refresh_from_db()
    assert support_request.status == SupportStatus.PICKED_UP
    Client().post(link_from_last_email())
    support_request.refresh_from_db()
    assert support_request.status == SupportStatus.CLOSED
    assert support_request.closed_at is not None


def test_navigator_cannot_send_a_link_to_a_patient_of_another_service(
    navigator_client, outside_patient
) -> None:
    assert _send(navigator_client, outside_patient).status_code == 404
    assert mail.outbox == []


def test_a_pwp_cannot_send_sign_in_links(pwp_client, patient, episode) -> None:
    assert _send(pwp_client, patient).status_code == 403
    assert mail.outbox == []


def test_a_patient_without_email_gets_a_clear_message_not_an_error(
    navigator_client, patient, episode
) -> None:
    patient.email = ""
    patient.save(update_fields=["email"])
    response = _send(navigator_client, patient)
    page = navigator_client.get(response["Location"]).content.decode()
    assert "has no email address" in page
    assert not SignInLink.objects.exists()
