"""A patient's last activity: one definition (care/activity.py), said in words."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from care.activity import last_activity_for_patients
from clinician.services import message_send
from measures.services import questionnaire_response_record
from modules.models import Assignment
from modules.services import assignment_start, modules_load
from moodlog.services import mood_rating_record


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _words(patient_id: int) -> str:
    return last_activity_for_patients(patient_ids=[patient_id])[patient_id].describe(
        now=timezone.now()
    )


def test_each_kind_of_activity_is_said_in_words(episode, patient, pwp) -> None:
    with time_machine.travel(_ago(5), tick=False):
        mood_rating_record(patient=patient, day=patient.local_today(), score=5)
    assert _words(patient.pk) == "Rated mood, 5 days ago"
    modules_load()
    assignment = Assignment.objects.filter(episode=episode).order_by("position").first()
    assert assignment is not None
    with time_machine.travel(_ago(4), tick=False):
        assignment_start(assignment=assignment)
    assert _words(patient.pk) == "Worked on a module, 4 days ago"
    with time_machine.travel(_ago(1), tick=False):
        questionnaire_response_record(patient=patient, instrument_code="phq9", answers=[0] * 9)
    assert _words(patient.pk) == "Answered a questionnaire, 1 day ago"
    message_send(episode=episode, sender=patient, body="Hello")
    assert _words(patient.pk) == "Sent a message, today"


def test_what_the_pwp_does_is_not_the_patients_activity(episode, patient, pwp) -> None:
    message_send(episode=episode, sender=pwp, body="How are you getting on?")
    assert last_activity_for_patients(patient_ids=[patient.pk]) == {}


def test_last_activity_for_many_patients_is_one_query(
    episode, other_episode, patient, other_patient, django_assert_num_queries
) -> None:
    mood_rating_record(patient=patient, day=patient.local_today(), score=5)
    message_send(episode=other_episode, sender=other_patient, body="Hi")
    with django_assert_num_queries(1):
        found = last_activity_for_patients(patient_ids=[patient.pk, other_patient.pk])
    assert {patient_id: item.kind for patient_id, item in found.items()} == {
        patient.pk: "mood",
        other_patient.pk: "message",
    }
