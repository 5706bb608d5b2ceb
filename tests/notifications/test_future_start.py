"""A patient whose treatment starts on a later day gets no reminder before that day (issue #18:
one registered for tomorrow got a mood reminder the same evening)."""

from __future__ import annotations

import datetime

import pytest

from notifications.models import Notification, NotificationKind
from tests import factories
from tests.notifications.conftest import london, sent_to

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 7, 2)


@pytest.fixture
def registered_for_later(service, pwp):
    patient = factories.PatientFactory.create(username="starts-later", service=service)
    factories.make_episode(patient=patient, pwp=pwp, service=service, started_on=START)
    return patient


def test_no_reminder_the_evening_before_the_episode_starts(run, registered_for_later) -> None:
    run(london(2026, 7, 1, 19, 0))
    run(london(2026, 7, 1, 19, 10))

    assert not Notification.objects.filter(recipient=registered_for_later).exists()


def test_no_reminder_in_the_days_before_the_start(run, registered_for_later) -> None:
    for day in range(25, 31):
        run(london(2026, 6, day, 19, 0))

    assert not Notification.objects.filter(recipient=registered_for_later).exists()


def test_the_first_mood_reminder_comes_on_the_day_treatment_starts(
    run, registered_for_later
) -> None:
    run(london(2026, 7, 1, 19, 0))
    run(london(2026, 7, 2, 19, 0))

    rows = Notification.objects.filter(recipient=registered_for_later)
    assert {row.local_day for row in rows} == {START}
    assert rows.filter(kind=NotificationKind.MOOD_REMINDER).count() == 1
    # Sent (alone or as part of the day's digest) on the start day.
    [sent] = sent_to(registered_for_later)
    assert sent.local_day == START


def test_a_start_day_counts_in_the_patients_own_time_zone(run, service, pwp) -> None:
    # 19:00 on 1 July in Auckland is 08:00 that morning in London: the patient's day is what
    # counts, so it is still the day before their start and nothing is sent.
    patient = factories.PatientFactory.create(
        username="far-away", service=service, time_zone="Pacific/Auckland"
    )
    factories.make_episode(patient=patient, pwp=pwp, service=service, started_on=START)

    run(datetime.datetime(2026, 7, 1, 19, 0, tzinfo=patient.zone))
    assert not Notification.objects.filter(recipient=patient).exists()

    run(datetime.datetime(2026, 7, 2, 19, 0, tzinfo=patient.zone))
    assert [row.local_day for row in sent_to(patient)] == [START]
    assert Notification.objects.filter(
        recipient=patient, kind=NotificationKind.MOOD_REMINDER, local_day=START
    ).exists()
