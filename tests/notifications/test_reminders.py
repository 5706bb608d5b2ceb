"""The due-rules: mood reminder (once a day, also on clock-change days; withdrawn once rated),
appointment reminder the day before, and rules that other apps provide."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from care.models import Appointment, AppointmentStatus, Episode
from moodlog.models import MoodRating
from moodlog.reminders import MoodReminderRule
from notifications.models import Notification, NotificationKind, NotificationState
from notifications.registry import due_rules, rule_for, rule_register
from notifications.services import notification_preference_update
from notifications.sources import EpisodeDueRule, Wording
from notifications.sweep import notifications_sweep
from tests.notifications.conftest import LONDON, london, sent_to

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        # Spring forward: 01:00 GMT becomes 02:00 BST, so 19:00 local is 18:00 UTC.
        (datetime.date(2026, 3, 29), 18),
        # Fall back: 02:00 BST becomes 01:00 GMT, so 19:00 local is 19:00 UTC.
        (datetime.date(2026, 10, 25), 19),
    ],
)
def test_the_19_00_reminder_fires_exactly_once_on_a_clock_change_day(
    run, patient_in_treatment, day, utc_hour
) -> None:
    patient = patient_in_treatment("clock-patient")
    start = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=LONDON
    )
    # The sweep every 10 minutes, walked in absolute time across the 23- or 25-hour local day.
    moment = start.astimezone(datetime.UTC)
    while moment < end:
        run(moment)
        moment += datetime.timedelta(minutes=10)

    [reminder] = sent_to(patient)
    assert reminder.kind == NotificationKind.MOOD_REMINDER
    assert reminder.local_day == day
    assert reminder.sent_at == datetime.datetime.combine(
        day, datetime.time(utc_hour, 0), tzinfo=datetime.UTC
    )
    assert reminder.sent_at.astimezone(LONDON).time() == datetime.time(19, 0)
    assert len(mail.outbox) == 1


def test_a_reminder_at_a_time_the_patient_chose_fires_then(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("late-patient")
    notification_preference_update(
        patient=patient, service=patient.service, reminder_time=datetime.time(20, 30)
    )
    run(london(2026, 6, 2, 19, 0))
    run(london(2026, 6, 2, 20, 25))
    assert sent_to(patient) == []
    run(london(2026, 6, 2, 20, 30))
    assert len(sent_to(patient)) == 1


def test_rating_today_before_the_reminder_means_no_reminder(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("early-rater")
    MoodRating.objects.create(patient=patient, day=datetime.date(2026, 6, 2), score=6)
    run(london(2026, 6, 2, 19, 0))
    assert sent_to(patient) == []
    assert not Notification.objects.filter(recipient=patient).exists()


def test_rating_today_withdraws_todays_reminder(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("late-rater")
    notification_preference_update(
        patient=patient, service=patient.service, paused_until=datetime.date(2026, 6, 1)
    )
    # The sweep queues today's reminder; the patient rates before the dispatcher sends it.
    notifications_sweep(now=london(2026, 6, 2, 19, 0))
    reminder = Notification.objects.get(recipient=patient, kind=NotificationKind.MOOD_REMINDER)
    assert reminder.state == NotificationState.QUEUED
    MoodRating.objects.create(patient=patient, day=datetime.date(2026, 6, 2), score=4)
    run(london(2026, 6, 2, 19, 0))
    reminder.refresh_from_db()
    assert reminder.state == NotificationState.WITHDRAWN
    assert mail.outbox == []
    # Tomorrow is another day.
    run(london(2026, 6, 3, 19, 0))
    assert [row.local_day for row in sent_to(patient)] == [datetime.date(2026, 6, 3)]


def test_a_held_reminder_is_withdrawn_once_today_is_rated(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("held-rater")
    notification_preference_update(patient=patient, service=patient.service, weekly_max=1)
    run(london(2026, 6, 1, 19, 0))  # uses the week's one message
    run(london(2026, 6, 2, 19, 0))
    held = Notification.objects.get(recipient=patient, local_day=datetime.date(2026, 6, 2))
    assert held.state == NotificationState.HELD
    MoodRating.objects.create(patient=patient, day=datetime.date(2026, 6, 2), score=7)
    run(london(2026, 6, 2, 19, 1))
    held.refresh_from_db()
    assert held.state == NotificationState.WITHDRAWN


def test_a_rated_day_withdraws_the_queued_reminder(run, patient_in_treatment, monkeypatch) -> None:
    """The withdrawal itself, whatever says the day is rated (the tests above check moodlog's
    model directly)."""
    patient = patient_in_treatment("withdrawn-anyway")
    notifications_sweep(now=london(2026, 6, 2, 19, 0))
    reminder = Notification.objects.get(recipient=patient, kind=NotificationKind.MOOD_REMINDER)
    assert reminder.state == NotificationState.QUEUED
    monkeypatch.setattr(
        MoodReminderRule,
        "_rated",
        lambda self, pairs: set(pairs) & {(patient.pk, reminder.local_day)},
    )
    run(london(2026, 6, 2, 19, 0))
    reminder.refresh_from_db()
    assert reminder.state == NotificationState.WITHDRAWN
    assert mail.outbox == []


def test_a_held_daily_reminder_expires_with_its_day(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("expiring")
    notification_preference_update(patient=patient, service=patient.service, weekly_max=1)
    run(london(2026, 6, 1, 19, 0))
    run(london(2026, 6, 2, 19, 0))
    result = run(london(2026, 6, 3, 0, 5))
    assert result.sweep.withdrawn == 1
    assert (
        Notification.objects.get(recipient=patient, local_day=datetime.date(2026, 6, 2)).state
        == NotificationState.WITHDRAWN
    )


def _book(patient, when: datetime.datetime) -> Appointment:
    episode = Episode.objects.get(patient=patient, status="active")
    return Appointment.objects.create(episode=episode, number=50, kind="online", scheduled_at=when)


def test_appointment_reminder_comes_the_day_before_with_the_daily_message(
    run, patient_in_treatment
) -> None:
    patient = patient_in_treatment("appointment-patient")
    # Only the appointment reminder here: the questionnaires due before the same session and
    # the module nudge are switched off so that nothing joins it in a digest.
    notification_preference_update(
        patient=patient,
        service=patient.service,
        mood_reminder=False,
        questionnaire_due=False,
        module_nudge=False,
    )
    _book(patient, london(2026, 6, 3, 10, 30))
    run(london(2026, 6, 1, 19, 0))
    assert sent_to(patient) == []
    run(london(2026, 6, 2, 19, 0))
    run(london(2026, 6, 2, 19, 30))
    [reminder] = sent_to(patient)
    assert reminder.kind == NotificationKind.APPOINTMENT_REMINDER
    assert reminder.body == "You have a session (online) tomorrow at 10:30."
    run(london(2026, 6, 3, 19, 0))
    assert len(sent_to(patient)) == 1


def test_a_cancelled_appointment_withdraws_its_reminder(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("cancelling-patient")
    notification_preference_update(patient=patient, service=patient.service, mood_reminder=False)
    appointment = _book(patient, london(2026, 6, 3, 10, 30))
    # First seen in quiet hours, so it waits.
    run(london(2026, 6, 2, 21, 30))
    row = Notification.objects.get(recipient=patient, kind=NotificationKind.APPOINTMENT_REMINDER)
    assert row.state == NotificationState.HELD
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save()
    notifications_sweep(now=london(2026, 6, 2, 21, 31))
    row.refresh_from_db()
    assert row.state == NotificationState.WITHDRAWN


# A provider as the modules and measures apps supply it (README contract): given
# {episode id: local day}, return the ids of the episodes for which the kind is due that day.
PROVIDED: dict[str, set[int]] = {}


def module_provider(*, episode_days):
    return PROVIDED["module_nudge"] & set(episode_days)


def questionnaire_provider(*, episode_days):
    return PROVIDED["questionnaire_due"] & set(episode_days)


def test_provided_rules_create_due_notifications_the_provider_names(
    run, patient_in_treatment, monkeypatch
) -> None:
    # The rules the modules and measures apps registered, asking these providers instead.
    monkeypatch.setattr(rule_for("module_nudge"), "provider", module_provider)
    monkeypatch.setattr(rule_for("questionnaire_due"), "provider", questionnaire_provider)
    due = patient_in_treatment("provided-due")
    not_due = patient_in_treatment("provided-not-due")
    for patient in (due, not_due):
        notification_preference_update(
            patient=patient, service=patient.service, mood_reminder=False
        )
        _book(patient, london(2026, 6, 3, 9, 0))
    due_episode = Episode.objects.get(patient=due, status="active").pk
    PROVIDED["module_nudge"] = {due_episode}
    PROVIDED["questionnaire_due"] = {due_episode}
    # The module nudge only comes before a session: not on 1 June.
    notifications_sweep(now=london(2026, 6, 1, 19, 0))
    assert set(Notification.objects.filter(recipient=due).values_list("kind", flat=True)) == {
        NotificationKind.QUESTIONNAIRE_DUE
    }
    run(london(2026, 6, 2, 19, 0))
    kinds = set(Notification.objects.filter(recipient=due).values_list("kind", flat=True))
    assert {NotificationKind.MODULE_NUDGE, NotificationKind.APPOINTMENT_REMINDER} <= kinds
    assert not Notification.objects.filter(
        recipient=not_due,
        kind__in=[NotificationKind.MODULE_NUDGE, NotificationKind.QUESTIONNAIRE_DUE],
    ).exists()


def test_each_app_registers_its_own_rule_for_each_reminder_kind() -> None:
    assert [(rule.kind, type(rule).__module__) for rule in due_rules()] == [
        (NotificationKind.MOOD_REMINDER, "moodlog.reminders"),
        (NotificationKind.MODULE_NUDGE, "notifications.sources"),
        (NotificationKind.APPOINTMENT_REMINDER, "patients.reminders"),
        (NotificationKind.QUESTIONNAIRE_DUE, "notifications.sources"),
    ]
    assert rule_for("module_nudge").wording.url_name == "modules:programme"  # type: ignore[union-attr]
    assert rule_for("questionnaire_due").wording.url_name == "measures:list"  # type: ignore[union-attr]


def test_a_second_rule_for_the_same_kind_is_refused_at_registration() -> None:
    duplicate = EpisodeDueRule(
        kind=NotificationKind.MOOD_REMINDER,
        provider=module_provider,
        wording=Wording(subject="Again", body="Twice", url_name="moodlog:page"),
    )
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        rule_register(duplicate)
    assert isinstance(rule_for(NotificationKind.MOOD_REMINDER), MoodReminderRule)


def test_an_episode_that_starts_tomorrow_gets_nothing_today(run, service, pwp) -> None:
    from tests import factories

    patient = factories.PatientFactory.create(username="starts-tomorrow", service=service)
    factories.make_episode(
        patient=patient, pwp=pwp, service=service, started_on=datetime.date(2026, 6, 3)
    )
    result = run(london(2026, 6, 2, 19, 0))
    assert result.sweep.created == 0
    assert not Notification.objects.filter(recipient=patient).exists()
    run(london(2026, 6, 3, 19, 0))
    [reminder] = sent_to(patient)
    assert reminder.local_day == datetime.date(2026, 6, 3)


def test_a_message_waiting_before_the_episode_starts_is_held_until_its_first_day(
    run, service, pwp
) -> None:
    from notifications.services import notification_enqueue_for_patient
    from tests import factories

    patient = factories.PatientFactory.create(username="early-message", service=service)
    factories.make_episode(
        patient=patient, pwp=pwp, service=service, started_on=datetime.date(2026, 6, 3)
    )
    notification_enqueue_for_patient(
        key="message_received:early",
        patient=patient,
        kind=NotificationKind.MESSAGE_RECEIVED,
        subject="Your therapist has written to you",
        body="Sign in to read it.",
        due_at=london(2026, 6, 2, 10, 0),
    )
    run(london(2026, 6, 2, 12, 0))
    assert Notification.objects.get(key="message_received:early").state == NotificationState.HELD
    run(london(2026, 6, 3, 12, 0))
    assert [row.key for row in sent_to(patient)] == ["message_received:early"]


def test_a_new_reminder_is_written_once_already_queued(run, patient_in_treatment) -> None:
    """The sweep inserts a new reminder in the state the gate decides: no insert then update."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient_in_treatment("one-write")
    with CaptureQueriesContext(connection) as captured:
        result = notifications_sweep(now=london(2026, 6, 2, 19, 0))
    assert result.created == result.queued == 1
    table = '"notifications_notification"'
    statements = [query["sql"] for query in captured.captured_queries]
    inserts = [sql for sql in statements if sql.startswith(f"INSERT INTO {table}")]
    queuing_updates = [
        sql
        for sql in statements
        if sql.startswith(f"UPDATE {table}") and "'queued'" in sql.split("WHERE")[0]
    ]
    assert len(inserts) == 1
    assert queuing_updates == []
    assert Notification.objects.get().state == NotificationState.QUEUED
