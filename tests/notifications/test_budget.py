"""The budget: weekly and daily maximums, quiet hours, pauses, digests, and episode ends."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from care.models import Episode, EpisodeStatus
from care.services import episode_end
from notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationState,
    ServiceNotificationPolicy,
)
from notifications.preferences import in_window
from notifications.services import notification_enqueue_for_patient, notification_preference_update
from tests.notifications.conftest import LONDON, london, sent_to

pytestmark = pytest.mark.django_db

QUIET_START = datetime.time(21, 0)
QUIET_END = datetime.time(8, 0)


def _ended_on() -> datetime.date:
    """2 June 2026, the day these runs are set on, unless the frozen clock stands earlier (an
    episode cannot end on a day still to come)."""
    return min(datetime.date(2026, 6, 2), timezone.localdate())


def _message(patient, moment: datetime.datetime, number: int) -> None:
    with time_machine.travel(moment, tick=False):
        notification_enqueue_for_patient(
            key=f"test-message:{patient.pk}:{number}",
            patient=patient,
            kind=NotificationKind.MESSAGE_RECEIVED,
            subject="Your therapist has written to you",
            body="Sign in to read it.",
        )


def _simulate_week(run, patient, start: datetime.datetime) -> None:
    """Seven days with a therapist's message at 12:00 and at 22:00 each day, and the daily mood
    reminder at 19:00; the sweep runs every hour (beat runs it every minute)."""
    moment = start
    end = start + datetime.timedelta(days=7)
    number = 0
    while moment < end:
        local = moment.astimezone(LONDON)
        if local.time() in (datetime.time(12, 0), datetime.time(22, 0)):
            number += 1
            _message(patient, moment, number)
        run(moment)
        moment += datetime.timedelta(hours=1)


def test_a_week_never_exceeds_the_patients_weekly_maximum(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("week-patient")
    notification_preference_update(patient=patient, service=patient.service, weekly_max=3)
    _simulate_week(run, patient, london(2026, 6, 1, 0, 0))

    sent = sent_to(patient)
    assert len(sent) == 3
    days = [row.sent_at.astimezone(LONDON).date() for row in sent if row.sent_at]
    assert len(set(days)) == 3, "never more than one a day"
    assert len(mail.outbox) == 3
    # The rest waited: nothing else went out in the week.
    assert not Notification.objects.filter(
        recipient=patient, state__in=[NotificationState.QUEUED, NotificationState.FAILED]
    ).exists()


def test_a_week_with_default_limits_sends_one_a_day_and_none_in_quiet_hours(
    run, patient_in_treatment
) -> None:
    patient = patient_in_treatment("default-week")
    _simulate_week(run, patient, london(2026, 6, 1, 0, 0))

    sent = sent_to(patient)
    local_times = [row.sent_at.astimezone(LONDON) for row in sent if row.sent_at]
    per_day = {moment.date() for moment in local_times}
    assert len(sent) == 7
    assert len(per_day) == 7
    assert not any(in_window(moment.time(), QUIET_START, QUIET_END) for moment in local_times)
    # The 22:00 message waited for the morning, and went with nothing else that day.
    assert all(moment.time() == datetime.time(8, 0) for moment in local_times[1:])


def test_a_message_in_quiet_hours_waits_until_they_end(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("quiet-patient")
    _message(patient, london(2026, 6, 2, 22, 0), 1)

    result = run(london(2026, 6, 2, 22, 0))
    assert result.dispatch.sent == 0
    message = Notification.objects.get(recipient=patient, kind=NotificationKind.MESSAGE_RECEIVED)
    assert message.state == NotificationState.HELD
    run(london(2026, 6, 3, 7, 59))
    assert sent_to(patient) == []
    run(london(2026, 6, 3, 8, 0))
    [sent] = sent_to(patient)
    assert sent.sent_at == london(2026, 6, 3, 8, 0)


def test_the_service_quiet_hours_apply_even_if_the_patient_chose_shorter_ones(
    run, patient_in_treatment, service
) -> None:
    ServiceNotificationPolicy.objects.create(
        service=service, quiet_start=datetime.time(20, 0), quiet_end=datetime.time(9, 0)
    )
    patient = patient_in_treatment("service-quiet")
    NotificationPreference.objects.create(
        patient=patient, quiet_start=datetime.time(23, 0), quiet_end=datetime.time(6, 0)
    )
    _message(patient, london(2026, 6, 2, 20, 30), 1)
    run(london(2026, 6, 2, 20, 30))
    run(london(2026, 6, 3, 8, 30))
    assert sent_to(patient) == []
    run(london(2026, 6, 3, 9, 0))
    assert len(sent_to(patient)) == 1


def test_nothing_is_sent_during_a_pause_and_sending_resumes_after(
    run, patient_in_treatment
) -> None:
    patient = patient_in_treatment("holiday-patient")
    notification_preference_update(
        patient=patient, service=patient.service, paused_until=datetime.date(2026, 6, 3)
    )
    _message(patient, london(2026, 6, 2, 12, 0), 1)
    for day in (2, 3):
        for hour in (9, 12, 19, 20):
            run(london(2026, 6, day, hour, 0))
    assert sent_to(patient) == []
    # No mood reminders were even created for the pause.
    assert not Notification.objects.filter(
        recipient=patient, kind=NotificationKind.MOOD_REMINDER
    ).exists()

    run(london(2026, 6, 4, 9, 0))
    [message] = sent_to(patient)
    assert message.kind == NotificationKind.MESSAGE_RECEIVED
    run(london(2026, 6, 5, 19, 0))
    assert [row.kind for row in sent_to(patient)][-1] == NotificationKind.MOOD_REMINDER


def test_several_due_at_once_become_one_digest(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("digest-patient")
    _message(patient, london(2026, 6, 2, 18, 40), 1)
    _message(patient, london(2026, 6, 2, 18, 50), 2)

    result = run(london(2026, 6, 2, 19, 0))

    assert result.sweep.digests == 1
    [digest] = sent_to(patient)
    assert digest.kind == NotificationKind.DIGEST
    assert digest.parts.count() == 3
    assert set(digest.parts.values_list("state", flat=True)) == {NotificationState.DIGESTED}
    [email] = mail.outbox
    assert email.subject == "You have 3 things to look at"
    assert "How is your mood today?" in email.body


def test_the_service_ceiling_caps_a_patients_weekly_maximum(
    run, patient_in_treatment, service
) -> None:
    ServiceNotificationPolicy.objects.create(service=service, max_per_week=2)
    patient = patient_in_treatment("capped-patient")
    for day in range(1, 8):
        run(london(2026, 6, day, 19, 0))
    assert len(sent_to(patient)) == 2


def test_weekly_maximum_of_none_sends_nothing(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("none-patient")
    notification_preference_update(patient=patient, service=patient.service, weekly_max=0)
    _message(patient, london(2026, 6, 2, 12, 0), 1)
    for day in range(2, 6):
        run(london(2026, 6, day, 19, 0))
    assert sent_to(patient) == []


def test_a_kind_switched_off_is_not_sent(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("no-mood-patient")
    notification_preference_update(patient=patient, service=patient.service, mood_reminder=False)
    run(london(2026, 6, 2, 19, 0))
    assert sent_to(patient) == []
    _message(patient, london(2026, 6, 2, 19, 5), 1)
    run(london(2026, 6, 2, 19, 5))
    assert [row.kind for row in sent_to(patient)] == [NotificationKind.MESSAGE_RECEIVED]


def test_nothing_after_an_episode_ends(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("ended-patient")
    _message(patient, london(2026, 6, 2, 22, 0), 1)
    run(london(2026, 6, 2, 22, 0))
    assert set(Notification.objects.filter(recipient=patient).values_list("state", flat=True)) == {
        NotificationState.HELD
    }

    episode = Episode.objects.get(patient=patient, status=EpisodeStatus.ACTIVE)
    episode_end(
        episode=episode,
        status=EpisodeStatus.COMPLETED,
        ended_on=_ended_on(),
        by=None,
    )
    result = run(london(2026, 6, 3, 9, 0))
    run(london(2026, 6, 3, 19, 0))

    assert result.sweep.withdrawn == 2
    assert sent_to(patient) == []
    assert set(Notification.objects.filter(recipient=patient).values_list("state", flat=True)) == {
        NotificationState.WITHDRAWN
    }


def test_staff_alerts_are_never_held_by_a_patients_limits(run, patient_in_treatment, pwp) -> None:
    from notifications.services import notification_enqueue

    patient = patient_in_treatment("alert-patient")
    notification_preference_update(
        patient=patient,
        service=patient.service,
        weekly_max=0,
        paused_until=datetime.date(2026, 7, 1),
    )
    with time_machine.travel(london(2026, 6, 2, 23, 30), tick=False):
        notification_enqueue(
            key="risk-flag:1",
            recipient=pwp,
            patient=patient,
            kind=NotificationKind.STAFF_ALERT,
            subject="A risk flag needs your review",
            body="Sign in to review it.",
        )
    result = run(london(2026, 6, 2, 23, 30))
    assert result.dispatch.sent == 1
    [alert] = sent_to(pwp)
    assert alert.sent_at == london(2026, 6, 2, 23, 30)
    assert mail.outbox[0].to == [pwp.email]
    assert "Stop" not in mail.outbox[0].body


def test_sweep_queries_grow_with_batches_not_patients(patient_in_treatment, settings) -> None:
    """The same number of batches costs the same queries whether a batch holds 4 or 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.sweep import notifications_sweep

    def queries(patients: int, batch: int) -> tuple[int, int]:
        Notification.objects.all().delete()
        settings.NOTIFICATIONS_SWEEP_BATCH_SIZE = batch
        with CaptureQueriesContext(connection) as captured:
            result = notifications_sweep(now=london(2026, 6, 2, 19, 0))
        assert result.queued == patients
        return result.batches, len(captured.captured_queries)

    for number in range(4):
        patient_in_treatment(f"batch-a-{number}")
    small = queries(4, batch=2)
    for number in range(8):
        patient_in_treatment(f"batch-b-{number}")
    large = queries(12, batch=6)
    assert small[0] == large[0] == 2
    assert small[1] == large[1]
