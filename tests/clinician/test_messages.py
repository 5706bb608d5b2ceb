from __future__ import annotations

import pytest

from care.models import AuditEvent
from clinician.models import Message
from notifications.models import Notification, NotificationKind


def test_patient_sends_a_message_and_the_pwp_is_alerted(patient_client, episode) -> None:  # type: ignore[no-untyped-def]
    response = patient_client.post("/messages/", {"body": "I found the diary hard this week."})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sender == episode.patient
    alert = Notification.objects.get(recipient=episode.pwp)
    assert alert.kind == NotificationKind.STAFF_ALERT
    # The notification never carries what the patient wrote.
    assert "diary" not in alert.body and "diary" not in alert.subject


def test_pwp_replies_and_the_patient_is_notified(pwp_client, episode) -> None:  # type: ignore[no-untyped-def]
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/messages/", {"body": "Well done for trying."}
    )
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=episode.patient)
    assert notification.kind == NotificationKind.MESSAGE_RECEIVED
    assert "Well done" not in notification.body


def test_opening_the_thread_marks_the_other_sides_messages_read(
    patient_client, pwp_client, episode
) -> None:  # type: ignore[no-untyped-def]
    patient_client.post("/messages/", {"body": "Hello"})
    pwp_client.get(f"/clinician/patients/{episode.patient_id}/messages/")
    assert Message.objects.get().read_at is not None
    assert AuditEvent.objects.filter(action="messages.view", patient=episode.patient).exists()


def test_empty_message_is_rejected_with_a_clear_error(patient_client, episode) -> None:  # type: ignore[no-untyped-def]
    response = patient_client.post("/messages/", {"body": "   "})
    assert response.status_code == 200
    assert "Write a message before sending it." in response.content.decode()
    assert not Message.objects.exists()


def test_too_long_message_is_rejected_and_nothing_is_stored(patient_client, episode) -> None:  # type: ignore[no-untyped-def]
    response = patient_client.post("/messages/", {"body": "x" * 2001})
    assert "up to 2000 characters" in response.content.decode()
    assert not Message.objects.exists()


def test_other_pwp_gets_404(other_pwp_client, episode) -> None:  # type: ignore[no-untyped-def]
    assert (
        other_pwp_client.get(f"/clinician/patients/{episode.patient_id}/messages/").status_code
        == 404
    )
    response = other_pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/messages/", {"body": "hi"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()


@pytest.mark.parametrize("persona", ["navigator_client", "patient_client"])
def test_wrong_role_cannot_open_the_pwp_thread(request, persona, episode) -> None:  # type: ignore[no-untyped-def]
    client = request.getfixturevalue(persona)
    assert client.get(f"/clinician/patients/{episode.patient_id}/messages/").status_code == 403


def test_other_patient_never_sees_the_thread(
    patient_client, episode, other_patient, other_episode
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    patient_client.post("/messages/", {"body": "private words"})
    page = client_for(other_patient).get("/messages/").content.decode()
    assert "private words" not in page


def test_patient_tells_the_pwp_what_to_talk_about(patient_client, episode) -> None:  # type: ignore[no-untyped-def]
    response = patient_client.post("/next-session/", {"text": "Sleep has been bad"})
    assert response.status_code == 302
    assert episode.topics.get().text == "Sleep has been bad"
    patient_client.post("/next-session/", {"text": "Sleep, and my sister"})
    assert episode.topics.get().text == "Sleep, and my sister"
