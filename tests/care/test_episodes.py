from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from care.models import AppointmentKind, AuditEvent
from tests.factories import make_episode
from treatment.services import episode_start


def test_a_new_episode_gets_eleven_alternating_sessions(episode) -> None:
    kinds = list(episode.appointments.order_by("number").values_list("kind", flat=True))
    assert len(kinds) == 11
    assert kinds.count(AppointmentKind.FACE_TO_FACE) == 6
    assert kinds.count(AppointmentKind.ONLINE) == 5
    assert kinds[0] == AppointmentKind.FACE_TO_FACE
    assert kinds[1] == AppointmentKind.ONLINE


def test_sessions_follow_the_services_plan(service, patient, pwp) -> None:
    service.session_plan.filter(number__gt=4).delete()
    episode = make_episode(patient=patient, pwp=pwp, service=service)
    assert episode.appointments.count() == 4


def test_starting_an_episode_is_audited(episode) -> None:
    event = AuditEvent.objects.get(action="episode.start")
    assert event.patient == episode.patient
    assert event.object_id == str(episode.pk)


def test_a_patient_has_at_most_one_active_episode(episode, service, pwp) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        episode_start(
            patient=episode.patient, service=service, pwp=pwp, started_on=datetime.date(2026, 1, 1)
        )


def test_session_times_are_local_across_the_clock_change(service, patient, pwp) -> None:
    # Sessions at 10:00 London time either side of the October clock change.
    episode = make_episode(
        patient=patient, pwp=pwp, service=service, started_on=datetime.date(2026, 10, 19)
    )
    first, second = episode.appointments.order_by("number")[:2]
    assert first.scheduled_at.astimezone(datetime.UTC).hour == 9  # BST
    assert second.scheduled_at.astimezone(datetime.UTC).hour == 10  # GMT
