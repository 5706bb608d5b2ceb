"""Save for later, without JavaScript: a message to the therapist and topics for the next
session are kept as drafts, unsent, shown again on return, and gone once really sent."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.drafts import draft_save
from accounts.models import Draft, User
from care.models import Episode
from clinician.models import Message, PatientTopic
from safety.models import RiskFlag

pytestmark = pytest.mark.usefixtures("episode")


def test_save_for_later_keeps_a_message_unsent(patient_client: Client, patient: User) -> None:
    response = patient_client.post(
        "/messages/", {"action": "draft", "body": "I found this week hard because"}
    )
    assert response.status_code == 302
    assert not Message.objects.exists()
    assert Draft.objects.get(user=patient, key="message").fields == {
        "body": "I found this week hard because"
    }
    page = patient_client.get("/messages/").content.decode()
    assert "Saved for later. It has not been sent to your therapist yet." in page
    assert "I found this week hard because</textarea>" in page
    assert "We kept what you were writing" in page


def test_sending_the_message_removes_its_draft(patient_client: Client, patient: User) -> None:
    draft_save(user=patient, key="message", fields={"body": "Half a"})
    patient_client.post("/messages/", {"body": "Half a message, now whole."})
    assert Message.objects.get().body == "Half a message, now whole."
    assert not Draft.objects.exists()


def test_a_failed_send_keeps_the_draft(patient_client: Client, patient: User) -> None:
    draft_save(user=patient, key="message", fields={"body": "Kept"})
    response = patient_client.post("/messages/", {"body": "x" * 2001})
    assert response.status_code == 200
    assert Draft.objects.get(user=patient).fields == {"body": "Kept"}


def test_saving_an_empty_message_for_later_discards_the_draft(
    patient_client: Client, patient: User
) -> None:
    draft_save(user=patient, key="message", fields={"body": "Old words"})
    patient_client.post("/messages/", {"action": "draft", "body": "  "})
    assert not Draft.objects.exists()
    assert "There was nothing to save." in patient_client.get("/messages/").content.decode()


def test_words_of_risk_in_a_message_kept_for_later_raise_no_flag(
    patient_client: Client,
) -> None:
    patient_client.post("/messages/", {"action": "draft", "body": "I want to end it all."})
    assert not RiskFlag.objects.exists()
    assert not Message.objects.exists()


def test_topics_are_saved_for_later_and_then_saved(
    patient_client: Client, patient: User, episode: Episode
) -> None:
    patient_client.post("/next-session/", {"action": "draft", "text": "My sleep, and"})
    assert not PatientTopic.objects.exists()
    page = patient_client.get("/next-session/").content.decode()
    assert "My sleep, and</textarea>" in page
    assert "Save for later" in page
    patient_client.post("/next-session/", {"text": "My sleep, and work."})
    assert PatientTopic.objects.get().text == "My sleep, and work."
    assert not Draft.objects.exists()
    assert "My sleep, and work.</textarea>" in patient_client.get("/next-session/").content.decode()


def test_another_patients_draft_is_never_shown(patient_client: Client, other_patient: User) -> None:
    draft_save(user=other_patient, key="message", fields={"body": "Someone else's words"})
    assert "Someone else" not in patient_client.get("/messages/").content.decode()
