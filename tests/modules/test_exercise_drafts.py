"""Save as you go on an exercise: a draft (typed by the page as the patient writes, or kept by
the server when a save fails) is shown when they come back and goes once the answers are saved."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.drafts import draft_save
from accounts.models import Draft, User
from care.models import Episode
from modules.models import ExerciseResponse
from modules.services import assignment_start, assignment_step_complete
from safety.models import RiskFlag
from tests.modules.conftest import assignment_for

LOW_MOOD = "understanding-low-mood"
KEY = f"exercise.{LOW_MOOD}.my_low_mood_cycle"
STEP = reverse("modules:step", args=[LOW_MOOD, 4])


@pytest.fixture
def at_the_exercise(episode: Episode) -> None:
    assignment = assignment_for(episode, LOW_MOOD)
    assignment_start(assignment=assignment)
    for step in (1, 2, 3):
        assignment_step_complete(assignment=assignment, step=step)


@pytest.mark.usefixtures("at_the_exercise")
def test_a_failed_save_and_finish_keeps_what_was_typed(
    patient_client: Client, patient: User
) -> None:
    # "How did you feel?" is required: finishing without it fails, and nothing is saved.
    failed = patient_client.post(
        STEP, {"action": "finish", "when": "Sunday", "thoughts": "What's the point"}
    )
    assert failed.status_code == 400
    assert not ExerciseResponse.objects.exists()
    draft = Draft.objects.get(user=patient, key=KEY)
    assert draft.fields == {"when": "Sunday", "thoughts": "What's the point"}
    # Leave, come back: the words are there, and the page says they are a draft.
    page = patient_client.get(STEP).content.decode()
    assert 'value="Sunday"' in page
    assert "What&#x27;s the point</textarea>" in page
    assert "We kept what you were writing" in page


@pytest.mark.usefixtures("at_the_exercise")
def test_a_draft_is_shown_instead_of_older_saved_answers(
    patient_client: Client, patient: User
) -> None:
    patient_client.post(STEP, {"action": "save", "when": "Sunday", "mood_rating": "7"})
    draft_save(user=patient, key=KEY, fields={"when": "Sunday night", "mood_rating": "3"})
    page = patient_client.get(STEP).content.decode()
    assert 'value="Sunday night"' in page
    assert 'value="3" checked' in page
    assert 'value="7" checked' not in page


@pytest.mark.usefixtures("at_the_exercise")
@pytest.mark.parametrize("action", ["save", "finish"])
def test_saving_the_answers_removes_the_draft(
    patient_client: Client, patient: User, action: str
) -> None:
    draft_save(user=patient, key=KEY, fields={"when": "Sunday"})
    response = patient_client.post(
        STEP,
        {
            "action": action,
            "when": "Sunday",
            "feelings": "Flat",
            "what_i_did": "Stayed in",
            "mood_rating": "7",
        },
    )
    assert response.status_code == 302
    assert not Draft.objects.exists()
    assert "We kept what you were writing" not in patient_client.get(STEP).content.decode()


@pytest.mark.usefixtures("at_the_exercise")
def test_a_draft_with_words_of_risk_raises_no_flag_until_it_is_saved(
    patient_client: Client, patient: User
) -> None:
    failed = patient_client.post(STEP, {"action": "finish", "feelings": "I want to end it all."})
    assert failed.status_code == 400
    assert Draft.objects.filter(user=patient).exists()
    assert not RiskFlag.objects.exists()
    patient_client.post(STEP, {"action": "save", "feelings": "I want to end it all."})
    assert RiskFlag.objects.count() == 1


@pytest.mark.usefixtures("at_the_exercise")
def test_a_draft_older_than_the_saved_answers_is_dropped(
    patient_client: Client, patient: User
) -> None:
    draft_save(user=patient, key=KEY, fields={"when": "Late"})
    with time_machine.travel(datetime.timedelta(minutes=1)):
        # Saved from another device after the draft was kept (the service removes the draft;
        # a save-as-you-go request arriving late puts it back).
        patient_client.post(STEP, {"action": "save", "when": "Saved"})
        draft_save(user=patient, key=KEY, fields={"when": "Late"})
        Draft.objects.update(updated_at=timezone.now() - datetime.timedelta(seconds=30))
        page = patient_client.get(STEP).content.decode()
    assert 'value="Saved"' in page
    assert 'value="Late"' not in page
    assert not Draft.objects.exists()


@pytest.mark.usefixtures("at_the_exercise")
def test_the_form_carries_its_draft_key_for_the_page_script(patient_client: Client) -> None:
    page = patient_client.get(STEP).content.decode()
    assert f'data-bcbt-draft="{KEY}"' in page
    assert "Save and come back later" in page
