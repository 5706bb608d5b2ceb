"""Dispatch: retries with backoff until dead, GOV.UK Notify, the command, the send rate, and
the navigator's list of patients whose messages keep failing."""

from __future__ import annotations

import datetime
import time
import uuid

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from notifications.dispatch import retry_delay
from notifications.models import Notification, NotificationKind, NotificationState
from notifications.ratelimit import SendRateLimiter
from notifications.selectors import patients_with_failing_notifications
from notifications.services import notification_enqueue_for_patient, notification_preference_update
from tests.notifications.conftest import london, sent_to

pytestmark = pytest.mark.django_db


def _message(patient, moment: datetime.datetime, key: str = "dispatch-test") -> Notification:
    with time_machine.travel(moment, tick=False):
        row, _ = notification_enqueue_for_patient(
            key=f"{key}:{patient.pk}",
            patient=patient,
            kind=NotificationKind.MESSAGE_RECEIVED,
            subject="Your therapist has written to you",
            body="Sign in to read it.",
        )
    return row


def test_a_temporary_failure_is_retried_with_backoff_until_it_is_dead(
    run, patient_in_treatment, settings, service
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.TemporarilyFailingBackend"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    patient = patient_in_treatment("failing-patient")
    notification_preference_update(patient=patient, service=patient.service, mood_reminder=False)
    row = _message(patient, london(2026, 6, 2, 12, 0))

    moment = london(2026, 6, 2, 12, 0)
    result = run(moment)
    assert result.failed == 1
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED
    assert row.attempts == 1
    assert row.next_attempt_at is not None
    assert row.next_attempt_at > moment
    # The error is kept for the navigator, without the address in it.
    assert "ConnectionError" in row.last_error
    assert "alice@example.org" not in row.last_error
    assert list(patients_with_failing_notifications(service=service, now=moment)) == []

    # Not retried before its time, then retried, then dead after the third attempt.
    run(row.next_attempt_at - datetime.timedelta(seconds=1))
    row.refresh_from_db()
    assert row.attempts == 1
    for attempt in (2, 3):
        run(row.next_attempt_at)
        row.refresh_from_db()
        assert row.attempts == attempt
    assert row.state == NotificationState.DEAD
    run(row.next_attempt_at + datetime.timedelta(days=1))
    row.refresh_from_db()
    assert row.attempts == 3

    [listed] = patients_with_failing_notifications(service=service, now=london(2026, 6, 10, 12, 0))
    assert listed == patient
    assert listed.failing_count == 1  # type: ignore[attr-defined]


def test_a_refused_address_is_dead_at_once(run, patient_in_treatment, settings) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    patient = patient_in_treatment("refused-patient")
    row = _message(patient, london(2026, 6, 2, 12, 0))
    run(london(2026, 6, 2, 12, 0))
    row.refresh_from_db()
    assert row.state == NotificationState.DEAD
    assert row.attempts == 1


def test_retry_delays_grow_and_are_jittered(settings) -> None:
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
    first = [retry_delay(1).total_seconds() for _ in range(50)]
    third = [retry_delay(3).total_seconds() for _ in range(50)]
    assert all(30 <= delay <= 90 for delay in first)
    assert all(120 <= delay <= 360 for delay in third)
    assert len(set(first)) > 1
    assert max(retry_delay(20).total_seconds() for _ in range(20)) <= 5400


def test_text_messages_and_emails_go_through_govuk_notify_when_configured(
    run, patient_in_treatment, fake_notify
) -> None:
    texting = patient_in_treatment("texting", phone_number="07700900123")
    emailing = patient_in_treatment("emailing")
    notification_preference_update(patient=texting, service=texting.service, contact_by="sms")
    run(london(2026, 6, 2, 19, 0))

    by_type = {sent["type"]: sent for sent in fake_notify.sent}
    assert by_type["sms"]["phone_number"] == "07700900123"
    assert by_type["sms"]["template_id"] == "sms-template"
    assert "/unsubscribe/" in by_type["sms"]["personalisation"]["body"]
    assert by_type["email"]["email_address"] == emailing.email
    assert by_type["email"]["template_id"] == "email-template"
    assert "/unsubscribe/" in by_type["email"]["one_click_unsubscribe_url"]
    assert mail.outbox == []
    [text] = sent_to(texting)
    assert text.channel == "sms"
    assert text.provider_reference.startswith("notify-")
    assert by_type["sms"]["reference"] == text.key


def test_in_app_only_patients_get_no_email(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("in-app-only")
    notification_preference_update(patient=patient, service=patient.service, contact_by="none")
    run(london(2026, 6, 2, 19, 0))
    [row] = sent_to(patient)
    assert row.channel == "in_app"
    assert row.in_app
    assert mail.outbox == []


def test_send_due_notifications_prints_counts_and_never_sends_twice(
    patient_in_treatment, capsys
) -> None:
    patient_in_treatment("command-one")
    quiet = patient_in_treatment("command-two")
    _message(quiet, london(2026, 6, 2, 18, 0), key="early")
    notification_preference_update(
        patient=quiet, service=quiet.service, paused_until=datetime.date(2026, 6, 2)
    )

    call_command("send_due_notifications", at="2026-06-02T19:00:00+01:00")
    assert capsys.readouterr().out.strip() == "created: 1, sent: 1, held: 1, failed: 0"
    call_command("send_due_notifications", at="2026-06-02T19:00:00+01:00")
    second = capsys.readouterr().out.strip()
    assert second.startswith("created: 0, sent: 0,")
    assert len(mail.outbox) == 1


def test_send_due_notifications_rejects_a_bad_moment() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("send_due_notifications", at="tomorrow evening")


def test_the_local_send_rate_paces_a_burst() -> None:
    limiter = SendRateLimiter(rates={"email": 5.0})
    taken = [limiter.take("email") for _ in range(8)]
    assert taken[:5] == [0.0] * 5
    assert all(wait > 0 for wait in taken[5:])
    assert limiter.take("in_app") == 0.0


def test_the_send_rate_is_shared_by_every_worker_through_redis(redis_url) -> None:
    prefix = f"bcbt:test:rate:{uuid.uuid4().hex}:"
    # Two limiters stand for two worker processes: they share one bucket of 4 a second.
    first = SendRateLimiter(rates={"email": 4.0}, redis_url=redis_url, prefix=prefix)
    second = SendRateLimiter(rates={"email": 4.0}, redis_url=redis_url, prefix=prefix)
    granted = sum(1 for limiter in (first, second) * 5 if limiter.take("email") == 0.0)
    assert granted == 4
    started = time.monotonic()
    assert second.acquire("email", max_wait=2.0)
    assert time.monotonic() - started > 0.1


def test_the_send_rate_falls_back_to_the_process_when_redis_is_down() -> None:
    limiter = SendRateLimiter(rates={"email": 2.0}, redis_url="redis://127.0.0.1:1/0")
    assert limiter.take("email") == 0.0
    assert limiter.take("email") == 0.0
    assert limiter.take("email") > 0
