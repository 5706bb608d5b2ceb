"""After the service admin ends a patient's treatment (issue #18): no more reminders from the
real sweep, and the patient still reads their own work (mood ratings, modules) but changes
nothing."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from care.models import EndReason
from modules.models import Assignment
from modules.services import assignment_start, assignment_step_complete
from moodlog.models import MoodRating
from notifications.models import Notification, NotificationKind
from notifications.services import notifications_run_once
from tests.console.patients_helpers import (  # noqa: F401 (fixtures)
    _console_mail,
    modules_loaded,
    service_today,
)
from tests.factories import PatientFactory, make_episode

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _send_at_once(settings: Any) -> None:
    settings.GOVUK_NOTIFY_API_KEY = ""
    settings.NOTIFICATIONS_SEND_RATES = {"email": 0.0, "sms": 0.0, "in_app": 0.0}


def _end(client: Client, patient: User) -> None:
    response = client.post(
        f"/service/patients/{patient.pk}/end/",
        {"reason": EndReason.COMPLETED, "ended_on": service_today().isoformat()},
    )
    assert response.status_code == 302


def _patient_kinds(patient: User) -> set[str]:
    return set(Notification.objects.filter(recipient=patient).values_list("kind", flat=True))


def test_an_ended_patient_gets_no_more_reminders(service_admin_client, service, pwp) -> None:
    ended = PatientFactory.create(username="patient-ended", service=service)
    still = PatientFactory.create(username="patient-still", service=service)
    for patient in (ended, still):
        make_episode(patient=patient, pwp=pwp, service=service)
    _end(service_admin_client, ended)

    # The evening reminder tomorrow (the day before session 3 of make_episode's plan too).
    tomorrow = service_today() + datetime.timedelta(days=1)
    for hour, minute in ((19, 0), (19, 10), (20, 0)):
        notifications_run_once(
            now=datetime.datetime.combine(tomorrow, datetime.time(hour, minute), tzinfo=LONDON)
        )

    # The sweep would have reminded them: the patient still in treatment was.
    assert NotificationKind.MOOD_REMINDER in _patient_kinds(still)
    assert _patient_kinds(ended) == set()


def test_an_ended_patient_still_reads_their_mood_and_modules_but_changes_nothing(
    service_admin_client, patient, episode
) -> None:
    MoodRating.objects.create(
        patient=patient, day=service_today() - datetime.timedelta(days=2), score=4
    )
    assignment = Assignment.objects.filter(episode=episode).order_by("position", "pk").first()
    assert assignment is not None
    assignment_start(assignment=assignment)
    assignment_step_complete(assignment=assignment, step=1)
    _end(service_admin_client, patient)
    client = Client()
    client.force_login(patient)

    mood = client.get("/mood/").content.decode()
    assert "4 out of 10" in mood
    programme = client.get("/modules/")
    page = programme.content.decode()
    assert "Your treatment has ended" in page
    version = assignment.module.latest_version
    assert version is not None
    assert version.title in page
    slug = assignment.module.slug
    assert client.get(f"/modules/{slug}/").status_code == 200
    assert client.get(f"/modules/{slug}/step/1/").status_code == 200
    refused = client.post(f"/modules/{slug}/step/2/", follow=True)
    assert "nothing here can be changed now" in refused.content.decode()
    assignment.refresh_from_db()
    assert assignment.steps_done == 1
    home = client.get("/me/").content.decode()
    assert "We will not send you reminders" in home
