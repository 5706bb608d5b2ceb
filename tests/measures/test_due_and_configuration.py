from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from measures.models import MeasuresConfiguration, QuestionnaireResponse
from measures.selectors import questionnaires_due_for_patient
from measures.services import questionnaire_response_record
from tests.measures.conftest import reschedule


def due_codes(patient) -> list[str]:
    return [item.instrument.code for item in questionnaires_due_for_patient(patient=patient)]


def test_phq9_and_gad7_are_due_before_every_session_by_default(episode) -> None:
    for number in (1, 2, 4, 5, 10):
        reschedule(episode, next_number=number)
        assert due_codes(episode.patient) == ["phq9", "gad7"], number


def test_the_alliance_is_due_before_session_three_and_the_last(episode) -> None:
    reschedule(episode, next_number=3)
    assert due_codes(episode.patient)[-1] == "alliance-check"
    reschedule(episode, next_number=11)
    assert due_codes(episode.patient)[-1] == "alliance-check"
    reschedule(episode, next_number=6)
    assert "alliance-check" not in due_codes(episode.patient)


def test_answers_since_the_last_session_count_as_done(episode) -> None:
    reschedule(episode, next_number=4)
    questionnaire_response_record(patient=episode.patient, instrument_code="phq9", answers=[0] * 9)
    assert due_codes(episode.patient) == ["gad7"]
    # Answers sent before the previous session (six days ago) do not count for the next one.
    reschedule(episode, next_number=5)
    QuestionnaireResponse.objects.update(submitted_at=timezone.now() - datetime.timedelta(days=7))
    assert due_codes(episode.patient) == ["phq9", "gad7"]


def test_the_service_chooses_what_is_due(episode) -> None:
    MeasuresConfiguration.objects.create(
        service=episode.service,
        session_instruments=["phq9"],
        alliance_sessions=[2, 5],
        alliance_at_last_session=False,
    )
    reschedule(episode, next_number=2)
    assert due_codes(episode.patient) == ["phq9", "alliance-check"]
    reschedule(episode, next_number=11)
    assert due_codes(episode.patient) == ["phq9"]


def test_nothing_is_due_without_an_episode_or_a_next_session(patient, episode) -> None:
    episode.appointments.update(scheduled_at=timezone.now() - datetime.timedelta(days=1))
    assert due_codes(patient) == []


def test_configuration_validates_codes_and_sessions(service) -> None:
    configuration = MeasuresConfiguration(
        service=service, session_instruments=["phq9", "bdi"], alliance_sessions=[0]
    )
    with pytest.raises(ValidationError) as error:
        configuration.full_clean()
    assert set(error.value.message_dict) == {"session_instruments", "alliance_sessions"}
