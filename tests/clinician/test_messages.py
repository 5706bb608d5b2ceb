from __future__ import annotations

import pytest

from care.models import AuditEvent
from clinician.models import Message
from notifications.models import Notification, NotificationKind


def test_pwp_replies_and_the_patient_is_notified(pwp_client, episode) -> None:
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/messages/", {"body": "Well done for trying."}
    )
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=episode.patient)
    assert notification.kind == NotificationKind.MESSAGE_RECEIVED
    assert "Well done" not in notification.body


def test_opening_the_thread_marks_the_other_sides_messages_read(
    patient_client, pwp_client, episode
) -> None:
    patient_client.post("/messages/", {"body": "Hello"})
    pwp_client.get(f"/clinician/patients/{episode.patient_id}/messages/")
    assert Message.objects.get().read_at is not None
    assert AuditEvent.objects.filter(action="messages.view", patient=episode.patient).exists()


def test_other_pwp_gets_404(other_pwp_client, episode) -> None:
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
def test_wrong_role_cannot_open_the_pwp_thread(request, persona, episode) -> None:
    client = request.getfixturevalue(persona)
    assert client.get(f"/clinician/patients/{episode.patient_id}/messages/").status_code == 403
