"""A patient whose course of treatment has ended cannot answer a questionnaire afterwards."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from care.models import Episode, EpisodeStatus
from care.services import episode_end
from measures.models import QuestionnaireResponse

PHQ9 = [1, 1, 1, 1, 1, 1, 1, 1, 0]


def _end(episode: Episode) -> None:
    episode_end(
        episode=episode, status=EpisodeStatus.COMPLETED, ended_on=timezone.localdate(), by=None
    )


def test_a_patient_cannot_answer_phq9_on_the_web_after_treatment_ends(
    patient_client: Client, episode: Episode
) -> None:
    _end(episode)
    data = {f"q{number}": "1" for number in range(1, 10)}
    response = patient_client.post("/questionnaires/phq9/", data)
    assert response.status_code == 409
    assert "course of treatment has ended" in response.content.decode()
    assert not QuestionnaireResponse.objects.filter(patient=episode.patient).exists()


def test_a_patient_cannot_answer_phq9_through_the_api_after_treatment_ends(
    patient: User, episode: Episode
) -> None:
    _end(episode)
    client = APIClient()
    client.force_authenticate(patient)
    response = client.post(
        "/api/v1/questionnaires/phq9/responses/", {"answers": PHQ9}, format="json"
    )
    assert response.status_code == 409
    assert "course of treatment has ended" in response.json()["detail"]
    assert not QuestionnaireResponse.objects.filter(patient=patient).exists()


def test_a_patient_in_treatment_still_answers_phq9_through_the_api(
    patient: User, episode: Episode
) -> None:
    client = APIClient()
    client.force_authenticate(patient)
    response = client.post(
        "/api/v1/questionnaires/phq9/responses/", {"answers": PHQ9}, format="json"
    )
    assert response.status_code == 201
