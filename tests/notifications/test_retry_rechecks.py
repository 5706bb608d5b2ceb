"""Every retry checks again what the first send checked: quiet hours, pause, the episode,
whether the reminder is still relevant, and a later day's budget. Staff alerts that died of an
outage are tried again when the channel works again."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from care.models import Episode, EpisodeStatus
from care.services import episode_end
from moodlog.services import mood_rating_record
from notifications.models import Notification, NotificationKind, NotificationState
from notifications.services import (
    notification_enqueue,
    notification_enqueue_for_patient,
    notification_preference_update,
)
from tests.notifications.conftest import london

pytestmark = pytest.mark.django_db
FAILING = "tests.notifications.backends.TemporarilyFailingBackend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"


def _ended_on() -> datetime.date:
    """2 June 2026, the day these runs are set on, unless the frozen clock stands earlier (an
    episode cannot end on a day still to come)."""
    return min(datetime.date(2026, 6, 2), timezone.localdate())


def _failed_message(run, patient, settings, moment: datetime.datetime) -> Notification:
    """A "your PWP has written" message whose first send fails at ``moment``."""
    notification_preference_update(patient=patient, service=patient.service, mood_reminder=False)
    row, _ = notification_enqueue_for_patient(
        key=f"message:{patient.pk}",
        patient=patient,
        kind=NotificationKind.MESSAGE_RECEIVED,
        subject="Your therapist has written to you",
        body="Sign in to read it.",
        due_at=moment,
    )
    settings.EMAIL_BACKEND = FAILING
    run(moment)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED
    settings.EMAIL_BACKEND = WORKING
    return row


def test_a_retry_that_falls_in_quiet_hours_waits_for_the_morning(
    run, patient_in_treatment, settings
) -> None:
    patient = patient_in_treatment("night-retry")
    row = _failed_message(run, patient, settings, london(2026, 6, 2, 20, 55))
    run(london(2026, 6, 2, 21, 2))
    row.refresh_from_db()
    assert mail.outbox == []
    assert row.state == NotificationState.FAILED
    assert row.attempts == 1
    assert row.next_attempt_at == london(2026, 6, 3, 8, 0)
    run(london(2026, 6, 3, 8, 0))
    row.refresh_from_db()
    assert row.state == NotificationState.SENT
    assert len(mail.outbox) == 1


def test_a_retry_waits_out_a_pause_the_patient_started_after_the_failure(
    run, patient_in_treatment, settings
) -> None:
    patient = patient_in_treatment("paused-retry")
    row = _failed_message(run, patient, settings, london(2026, 6, 2, 12, 0))
    notification_preference_update(
        patient=patient, service=patient.service, paused_until=datetime.date(2026, 6, 4)
    )
    run(london(2026, 6, 2, 13, 0))
    row.refresh_from_db()
    assert mail.outbox == []
    assert row.next_attempt_at == london(2026, 6, 5, 8, 0)


def test_a_retry_after_the_episode_ended_is_withdrawn(run, patient_in_treatment, settings) -> None:
    patient = patient_in_treatment("ended-retry")
    row = _failed_message(run, patient, settings, london(2026, 6, 2, 12, 0))
    episode = Episode.objects.get(patient=patient, status=EpisodeStatus.ACTIVE)
    episode_end(episode=episode, status=EpisodeStatus.COMPLETED, ended_on=_ended_on(), by=None)
    run(london(2026, 6, 2, 13, 0))
    row.refresh_from_db()
    assert mail.outbox == []
    assert row.state == NotificationState.WITHDRAWN


def test_a_mood_reminder_retry_is_withdrawn_once_the_patient_has_rated(
    run, patient_in_treatment, settings
) -> None:
    patient = patient_in_treatment("rated-retry")
    settings.EMAIL_BACKEND = FAILING
    run(london(2026, 6, 2, 19, 0))
    row = Notification.objects.get(recipient=patient, kind=NotificationKind.MOOD_REMINDER)
    assert row.state == NotificationState.FAILED
    settings.EMAIL_BACKEND = WORKING
    with time_machine.travel(london(2026, 6, 2, 19, 30), tick=False):
        mood_rating_record(patient=patient, day=datetime.date(2026, 6, 2), score=6)
    run(london(2026, 6, 2, 20, 0))
    row.refresh_from_db()
    assert mail.outbox == []
    assert row.state == NotificationState.WITHDRAWN


def test_a_retry_on_a_later_day_waits_when_that_day_is_already_used(
    run, patient_in_treatment, settings
) -> None:
    patient = patient_in_treatment("budget-retry")
    row = _failed_message(run, patient, settings, london(2026, 6, 2, 20, 50))
    # The next day's one message has gone out already (the daily maximum is one).
    Notification.objects.create(
        key="already-today",
        recipient=patient,
        patient=patient,
        kind=NotificationKind.MODULE_NUDGE,
        state=NotificationState.SENT,
        subject="s",
        body="b",
        budget_day=datetime.date(2026, 6, 3),
    )
    run(london(2026, 6, 3, 9, 0))
    row.refresh_from_db()
    assert mail.outbox == []
    assert row.next_attempt_at == london(2026, 6, 4, 8, 0)
    run(london(2026, 6, 4, 8, 0))
    row.refresh_from_db()
    assert row.state == NotificationState.SENT
    assert row.budget_day == datetime.date(2026, 6, 4)


def test_a_dead_staff_alert_is_retried_when_the_channel_works_again(
    run, pwp, other_pwp, settings
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = FAILING
    alert, _ = notification_enqueue(
        key="risk-alert",
        recipient=pwp,
        kind=NotificationKind.STAFF_ALERT,
        subject="A risk flag needs your review",
        body="Sign in to review it.",
        due_at=london(2026, 6, 2, 12, 0),
    )
    run(london(2026, 6, 2, 12, 0))
    alert.refresh_from_db()
    assert alert.state == NotificationState.DEAD
    assert alert.retries_exhausted
    settings.EMAIL_BACKEND = WORKING
    # Another message goes through: the channel works again, so the dead alert is tried again.
    notification_enqueue(
        key="another-alert",
        recipient=other_pwp,
        kind=NotificationKind.STAFF_ALERT,
        subject="A risk flag needs your review",
        body="Sign in to review it.",
        due_at=london(2026, 6, 2, 12, 5),
    )
    run(london(2026, 6, 2, 12, 5))
    run(london(2026, 6, 2, 12, 6))
    alert.refresh_from_db()
    assert alert.state == NotificationState.SENT
    assert sorted(message.to[0] for message in mail.outbox) == sorted([pwp.email, other_pwp.email])
