"""The patient's own pages: home, messages with their therapist, and topics for the next
session, with their denial tests."""

from __future__ import annotations

import pytest

from clinician.models import Message
from notifications.models import Notification, NotificationKind

PATIENT_PAGES = ["/me/", "/messages/", "/next-session/"]


def test_patient_sends_a_message_and_the_pwp_is_alerted(patient_client, episode) -> None:
    response = patient_client.post("/messages/", {"body": "I found the diary hard this week."})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sender == episode.patient
    alert = Notification.objects.get(recipient=episode.pwp)
    assert alert.kind == NotificationKind.STAFF_ALERT
    # The notification never carries what the patient wrote.
    assert "diary" not in alert.body
    assert "diary" not in alert.subject


def test_empty_message_is_rejected_with_a_clear_error(patient_client, episode) -> None:
    response = patient_client.post("/messages/", {"body": "   "})
    assert response.status_code == 200
    assert "Write a message before sending it." in response.content.decode()
    assert not Message.objects.exists()


def test_too_long_message_is_rejected_and_nothing_is_stored(patient_client, episode) -> None:
    response = patient_client.post("/messages/", {"body": "x" * 2001})
    assert "up to 2000 characters" in response.content.decode()
    assert not Message.objects.exists()


def test_other_patient_never_sees_the_thread(
    patient_client, episode, other_patient, other_episode
) -> None:
    from tests.conftest import client_for

    patient_client.post("/messages/", {"body": "private words"})
    page = client_for(other_patient).get("/messages/").content.decode()
    assert "private words" not in page


def test_patient_tells_the_pwp_what_to_talk_about(patient_client, episode) -> None:
    response = patient_client.post("/next-session/", {"text": "Sleep has been bad"})
    assert response.status_code == 302
    assert episode.topics.get().text == "Sleep has been bad"
    patient_client.post("/next-session/", {"text": "Sleep, and my sister"})
    assert episode.topics.get().text == "Sleep, and my sister"


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_anonymous_is_sent_to_sign_in_from_the_patients_pages(client, db, path) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", PATIENT_PAGES)
@pytest.mark.parametrize("persona", ["pwp_client", "navigator_client", "service_admin_client"])
def test_staff_cannot_open_the_patients_pages(request, persona, path, episode) -> None:
    client = request.getfixturevalue(persona)
    assert client.get(path).status_code == 403
    assert client.post(path, {"body": "hi", "text": "hi"}).status_code == 403
    assert not Message.objects.exists()
