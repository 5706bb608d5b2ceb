"""Web Push: subscriptions per device, the push channel inside the patient's limits, no clinical
content in a push, and a phone the push service no longer knows (404/410) falling back to the
patient's other channel. The push service is a local fake (tests/notifications/push_service.py):
pywebpush really encrypts, signs and posts to it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from py_vapid import Vapid
from rest_framework.test import APIClient

from accounts.tokens import device_token_issue
from care.models import AuditEvent
from notifications.management.commands.vapid_keys import vapid_key_pair
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
    NotificationState,
    PushSubscription,
)
from notifications.push import PUSH_BODY, PUSH_TITLE, push_subscription_save
from notifications.services import notification_enqueue_for_patient, notification_preference_update
from tests.notifications.conftest import london, sent_to
from tests.notifications.push_service import Browser, FakePushService, vapid_claims

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/push/subscriptions/"
SUBJECT = "mailto:digital@bcbt.example.org"
# Deliberately clinical words in the outbox row: none of them may leave in a push.
CLINICAL_SUBJECT = "Your PHQ-9 score is 21 (severe)"
CLINICAL_BODY = "You told us you have thoughts of ending your life."


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    service = FakePushService().start()
    yield service
    service.stop()


@pytest.fixture
def vapid(settings: Any) -> tuple[str, str]:
    public, private = vapid_key_pair()
    settings.BCBT_VAPID_PUBLIC_KEY = public
    settings.BCBT_VAPID_PRIVATE_KEY = private
    settings.BCBT_VAPID_SUBJECT = SUBJECT
    settings.BCBT_PUSH_SERVICE_HOSTS = ["127.0.0.1", "fcm.googleapis.com"]
    return public, private


def subscribe(patient, push_service: FakePushService, path: str = "/push/phone-1") -> Browser:
    browser = Browser.new()
    push_subscription_save(
        patient=patient, endpoint=push_service.url(path), p256dh=browser.p256dh, auth=browser.auth
    )
    notification_preference_update(patient=patient, service=patient.service, contact_by="push")
    return browser


def message(patient, moment: datetime.datetime, number: int = 1) -> None:
    with time_machine.travel(moment, tick=False):
        notification_enqueue_for_patient(
            key=f"push-test:{patient.pk}:{number}",
            patient=patient,
            kind=NotificationKind.MESSAGE_RECEIVED,
            subject=CLINICAL_SUBJECT,
            body=CLINICAL_BODY,
            link="/messages/",
        )


def run_at(run, moment: datetime.datetime) -> None:
    """One sweep and dispatch with the clock at ``moment`` (the push records its own time)."""
    with time_machine.travel(moment, tick=False):
        run(moment)


def body_json(browser: Browser) -> dict[str, Any]:
    return {"endpoint": "", "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}


# --- Sending ---------------------------------------------------------------------------------


def test_a_push_is_encrypted_signed_and_carries_no_clinical_content(
    vapid, push_service, patient_in_treatment, run
) -> None:
    patient = patient_in_treatment("push-patient")
    browser = subscribe(patient, push_service)
    message(patient, london(2026, 6, 2, 12, 0))

    run_at(run, london(2026, 6, 2, 12, 0))

    [received] = push_service.received
    assert received.path == "/push/phone-1"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert int(received.headers["ttl"]) == 24 * 60 * 60
    claims = vapid_claims(received.headers["authorization"], public_key=vapid[0])
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == SUBJECT
    # The body on the wire is ciphertext; only the browser's private key reads it.
    assert b"bcbt" not in received.body
    payload = browser.decrypt(received.body)
    assert payload == {
        "title": PUSH_TITLE,
        "body": PUSH_BODY,
        "url": "http://testserver/messages/",
    }
    assert payload["body"] == "You have a reminder from bcbt."
    for word in ("PHQ", "21", "severe", "ending your life", patient.first_name):
        assert word not in str(payload)
    [row] = sent_to(patient)
    assert (row.channel, row.provider_reference) == (NotificationChannel.PUSH, "push:1")
    assert mail.outbox == []
    assert PushSubscription.objects.get().last_sent_at is not None


def test_every_phone_of_the_patient_gets_the_push(
    vapid, push_service, patient_in_treatment, run
) -> None:
    patient = patient_in_treatment("two-phones")
    first = subscribe(patient, push_service, "/push/phone-1")
    second = subscribe(patient, push_service, "/push/tablet")
    message(patient, london(2026, 6, 2, 12, 0))
    run_at(run, london(2026, 6, 2, 12, 0))
    by_path = {received.path: received for received in push_service.received}
    assert first.decrypt(by_path["/push/phone-1"].body)["body"] == PUSH_BODY
    assert second.decrypt(by_path["/push/tablet"].body)["body"] == PUSH_BODY


def test_a_push_counts_in_the_patients_budget_and_waits_out_quiet_hours(
    vapid, push_service, patient_in_treatment, run
) -> None:
    patient = patient_in_treatment("push-budget")
    subscribe(patient, push_service)
    message(patient, london(2026, 6, 2, 12, 0), 1)
    run_at(run, london(2026, 6, 2, 12, 0))
    assert len(push_service.received) == 1
    # The day's one message is spent: the next waits for tomorrow, and tomorrow's quiet hours.
    message(patient, london(2026, 6, 2, 13, 0), 2)
    run_at(run, london(2026, 6, 2, 13, 0))
    run_at(run, london(2026, 6, 3, 7, 59))
    assert len(push_service.received) == 1
    second = Notification.objects.get(key=f"push-test:{patient.pk}:2")
    assert second.state == NotificationState.HELD
    run_at(run, london(2026, 6, 3, 8, 0))
    assert len(push_service.received) == 2
    assert [row.channel for row in sent_to(patient)] == ["push", "push"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_phone_the_push_service_no_longer_knows_is_removed_and_email_takes_over(
    status, vapid, push_service, patient_in_treatment, run
) -> None:
    patient = patient_in_treatment("push-gone")
    subscribe(patient, push_service)
    push_service.statuses["/push/phone-1"] = status
    message(patient, london(2026, 6, 2, 12, 0))

    run_at(run, london(2026, 6, 2, 12, 0))

    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()
    # The same message went by email, and the outbox row says so.
    [row] = sent_to(patient)
    assert row.channel == NotificationChannel.EMAIL
    [email] = mail.outbox
    assert email.to == [patient.email]
    preference = NotificationPreference.objects.get(patient=patient)
    assert preference.push_lost_at == london(2026, 6, 2, 12, 0)
    event = AuditEvent.objects.get(action="push.subscription_gone")
    assert event.detail == {"status": status, "notification": row.pk, "fallback": "email"}
    # Later messages go by email straight away, with no push tried.
    message(patient, london(2026, 6, 3, 12, 0), 2)
    run_at(run, london(2026, 6, 3, 12, 0))
    assert len(push_service.received) == 1
    assert len(mail.outbox) == 2


def test_without_an_email_address_the_fallback_is_a_text_message(
    vapid, push_service, patient_in_treatment, run, fake_notify
) -> None:
    patient = patient_in_treatment("push-sms", email="", phone_number="+447700900123")
    subscribe(patient, push_service)
    push_service.statuses["/push/phone-1"] = 410
    message(patient, london(2026, 6, 2, 12, 0))
    run_at(run, london(2026, 6, 2, 12, 0))
    [row] = sent_to(patient)
    assert row.channel == NotificationChannel.SMS
    assert [sent["type"] for sent in fake_notify.sent] == ["sms"]


def test_a_push_service_error_is_retried_and_the_phone_kept(
    vapid, push_service, patient_in_treatment, run
) -> None:
    patient = patient_in_treatment("push-retry")
    subscribe(patient, push_service)
    push_service.statuses["/push/phone-1"] = 503
    message(patient, london(2026, 6, 2, 12, 0))
    run_at(run, london(2026, 6, 2, 12, 0))
    row = Notification.objects.get(recipient=patient)
    assert (row.state, row.channel) == (NotificationState.FAILED, NotificationChannel.PUSH)
    assert PushSubscription.objects.filter(patient=patient).exists()
    assert mail.outbox == []


def test_the_navigators_queue_shows_not_receiving_push_without_clinical_content(
    vapid, push_service, patient_in_treatment, run, navigator
) -> None:
    patient = patient_in_treatment("push-navigator")
    subscribe(patient, push_service)
    push_service.statuses["/push/phone-1"] = 410
    message(patient, london(2026, 6, 2, 12, 0))
    run_at(run, london(2026, 6, 2, 12, 0))
    client = Client()
    client.force_login(navigator)
    page = client.get("/navigator/").content.decode()
    assert "Not receiving push notifications on their phone since 2 June" in page
    assert patient.last_name in page
    assert "PHQ" not in page
    assert "ending your life" not in page
    # Turning push on again on a phone clears it.
    subscribe(patient, push_service, "/push/new-phone")
    assert "Not receiving push" not in client.get("/navigator/").content.decode()


# --- Subscribing (API) -----------------------------------------------------------------------


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_patient_subscribes_with_a_session_and_a_retry_stores_it_once(
    vapid, push_service, patient, episode
) -> None:
    client = Client()
    client.force_login(patient)
    browser = Browser.new()
    body = body_json(browser) | {"endpoint": push_service.url("/push/abc"), "expirationTime": None}
    first = client.post(
        SUBSCRIPTIONS,
        body,
        content_type="application/json",
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36",
    )
    assert first.status_code == 201, first.content
    again = client.post(SUBSCRIPTIONS, body, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    stored = PushSubscription.objects.get()
    assert (stored.patient, stored.device, stored.p256dh) == (
        patient,
        "Chrome on Android",
        browser.p256dh,
    )
    assert client.get(SUBSCRIPTIONS).json()[0]["endpoint"] == push_service.url("/push/abc")


def test_an_app_subscribes_with_its_token_and_the_subscription_names_the_device(
    vapid, push_service, patient, episode
) -> None:
    token, key = device_token_issue(user=patient, device_name="My phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    browser = Browser.new()
    response = client.post(
        SUBSCRIPTIONS,
        body_json(browser) | {"endpoint": push_service.url("/push/app")},
        format="json",
    )
    assert response.status_code == 201
    assert PushSubscription.objects.get().device_token == token


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "http://10.0.0.5/push/1"}, "endpoint"),
        ({"endpoint": "https://push.evil.example/1"}, "endpoint"),
        ({"keys": {"p256dh": "bm90IGEga2V5", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys"),
        ({"keys": {"p256dh": None}}, "keys"),
        ({"endpoint": "not a url"}, "endpoint"),
    ],
)
def test_a_subscription_that_is_not_a_browsers_is_refused_and_nothing_stored(
    vapid, push_service, patient, change, field
) -> None:
    body = body_json(Browser.new()) | {"endpoint": "https://fcm.googleapis.com/fcm/send/x"}
    response = api_for(patient).post(SUBSCRIPTIONS, body | change, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not PushSubscription.objects.exists()


def test_without_vapid_keys_push_is_not_offered(patient, episode) -> None:
    body = body_json(Browser.new()) | {"endpoint": "https://fcm.googleapis.com/fcm/send/x"}
    response = api_for(patient).post(SUBSCRIPTIONS, body, format="json")
    assert response.status_code == 409
    assert "does not send push" in response.json()["detail"]
    client = Client()
    client.force_login(patient)
    page = client.get("/notifications/settings/").content.decode()
    assert "Notifications on your phone" not in page
    assert 'value="push"' not in page


def test_anonymous_gets_401(db) -> None:
    assert APIClient().post(SUBSCRIPTIONS, {}, format="json").status_code == 401
    assert APIClient().delete(f"{SUBSCRIPTIONS}1/").status_code == 401


@pytest.mark.parametrize("role", ["pwp", "navigator", "service_admin"])
def test_staff_get_403(vapid, request, role) -> None:
    user = request.getfixturevalue(role)
    body = body_json(Browser.new()) | {"endpoint": "https://fcm.googleapis.com/fcm/send/x"}
    assert api_for(user).post(SUBSCRIPTIONS, body, format="json").status_code == 403
    assert api_for(user).get(SUBSCRIPTIONS).status_code == 403
    assert not PushSubscription.objects.exists()


def test_a_patient_deletes_their_own_subscription_and_gets_404_for_another(
    vapid, push_service, patient, other_patient, episode
) -> None:
    subscribe(patient, push_service, "/push/mine")
    theirs = PushSubscription.objects.get(patient=patient)
    assert api_for(other_patient).delete(f"{SUBSCRIPTIONS}{theirs.pk}/").status_code == 404
    assert api_for(other_patient).get(SUBSCRIPTIONS).json() == []
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()
    assert api_for(patient).delete(f"{SUBSCRIPTIONS}{theirs.pk}/").status_code == 204
    assert not PushSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="push.unsubscribe", patient=patient).exists()


# --- The settings page ---------------------------------------------------------------------


def test_the_settings_page_explains_push_needs_the_app_and_loads_its_script(
    vapid, patient_client
) -> None:
    page = patient_client.get("/notifications/settings/").content.decode()
    assert "Notifications on your phone need the bcbt app" in page
    assert f'data-push-key="{vapid[0]}"' in page
    assert 'data-push-url="/api/v1/push/subscriptions/"' in page
    assert re.search(r'<script type="module" src="/static/notifications/push[.\w]*\.js">', page)
    # The button is for JavaScript to show: without it, only the explanation.
    assert 'id="push-on" hidden' in page


def test_choosing_push_before_a_phone_is_subscribed_is_refused_with_a_message(
    vapid, patient_client, patient
) -> None:
    response = patient_client.post(
        "/notifications/settings/",
        {
            "contact_by": "push",
            "in_app": "on",
            "mood_reminder": "on",
            "reminder_time": "19:00",
            "weekly_max": "7",
            "quiet_start": "21:00",
            "quiet_end": "08:00",
        },
    )
    assert response.status_code == 400
    assert "Turn on notifications on this phone first" in response.content.decode()
    assert not NotificationPreference.objects.filter(patient=patient, contact_by="push").exists()


def test_a_patient_stops_push_on_a_phone_from_the_settings_page(
    vapid, push_service, patient, patient_client, other_patient
) -> None:
    subscribe(patient, push_service)
    subscription = PushSubscription.objects.get()
    page = patient_client.get("/notifications/settings/").content.decode()
    assert "Phones that get your notifications" in page
    other = Client()
    other.force_login(other_patient)
    assert other.post(f"/notifications/settings/push/{subscription.pk}/stop/").status_code == 404
    response = patient_client.post(f"/notifications/settings/push/{subscription.pk}/stop/")
    assert response.status_code == 302
    assert not PushSubscription.objects.exists()


# --- Keys ------------------------------------------------------------------------------------


def test_vapid_keys_prints_a_pair_whose_private_key_signs_for_the_public_one() -> None:
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(
        line.split("=", 1) for line in out.getvalue().splitlines() if line.startswith("BCBT_")
    )
    signer = Vapid.from_string(lines["BCBT_VAPID_PRIVATE_KEY"])
    header = signer.sign({"sub": SUBJECT, "aud": "https://push.example", "exp": 2**31 - 1})
    assert vapid_claims(header["Authorization"], lines["BCBT_VAPID_PUBLIC_KEY"])["sub"] == SUBJECT
