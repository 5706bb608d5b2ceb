"""Every message's "stop these" link works without signing in, only for its own patient and
kind, and a changed or foreign link does nothing."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from care.models import AuditEvent
from notifications.models import (
    PATIENT_KINDS,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationState,
)
from notifications.selectors import notification_preference_for
from notifications.services import notification_enqueue_for_patient
from notifications.unsubscribe import unsubscribe_token
from tests.notifications.conftest import london

pytestmark = pytest.mark.django_db

STOP_LINK = re.compile(r"Stop [^:]+: (http://testserver(/unsubscribe/[^/\s]+/))")


def _send_one(run, patient, kind: str) -> str:
    moment = london(2026, 6, 2, 12, 0)
    with time_machine.travel(moment, tick=False):
        notification_enqueue_for_patient(
            key=f"stop-test:{patient.pk}:{kind}",
            patient=patient,
            kind=kind,
            subject="Something to look at",
            body="Sign in to see it.",
        )
    run(moment)
    [email] = mail.outbox
    mail.outbox.clear()
    paths = [match.group(2) for match in STOP_LINK.finditer(str(email.body))]
    assert len(paths) == 1
    assert email.extra_headers["List-Unsubscribe"] == f"<http://testserver{paths[0]}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return paths[0]


@pytest.mark.parametrize("kind", PATIENT_KINDS)
def test_each_messages_stop_link_works_without_signing_in_for_its_own_kind_only(
    run, patient_in_treatment, kind
) -> None:
    patient = patient_in_treatment("stopping-patient")
    bystander = patient_in_treatment("bystander")
    path = _send_one(run, patient, kind)
    anonymous = Client(enforce_csrf_checks=True)

    confirm = anonymous.get(path)
    assert confirm.status_code == 200
    assert b"Yes, stop these" in confirm.content
    # Looking at the page changes nothing.
    assert getattr(notification_preference_for(patient=patient), kind) is True

    done = anonymous.post(path)
    assert done.status_code == 200
    preference = NotificationPreference.objects.get(patient=patient)
    assert getattr(preference, kind) is False
    assert all(getattr(preference, other) for other in PATIENT_KINDS if other != kind)
    assert not NotificationPreference.objects.filter(patient=bystander).exists()
    assert AuditEvent.objects.filter(
        action="notifications.stop_link_used", patient=patient, detail={"kind": kind}
    ).exists()


def test_one_click_unsubscribe_from_a_mail_program_works(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("one-click")
    path = _send_one(run, patient, NotificationKind.MESSAGE_RECEIVED)
    response = Client(enforce_csrf_checks=True).post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(patient=patient).message_received is False
    # Using it twice is harmless.
    assert Client().post(path).status_code == 200


def test_stopping_a_kind_withdraws_what_is_waiting(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("withdrawing")
    path = _send_one(run, patient, NotificationKind.MESSAGE_RECEIVED)
    with time_machine.travel(london(2026, 6, 2, 12, 30), tick=False):
        waiting, _ = notification_enqueue_for_patient(
            key="stop-test:waiting",
            patient=patient,
            kind=NotificationKind.MESSAGE_RECEIVED,
            subject="Another",
            body="Sign in.",
        )
    Client().post(path)
    waiting.refresh_from_db()
    assert waiting.state == NotificationState.WITHDRAWN


def test_a_changed_token_does_nothing(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("tamper-target")
    other = patient_in_treatment("tamper-other")
    path = _send_one(run, patient, NotificationKind.MOOD_REMINDER)
    token = path.split("/")[2]
    # Swap in another patient's id and kind, keeping the signature: it no longer matches.
    forged_payload = unsubscribe_token(patient_id=other.pk, kind="message_received").split(":")[0]
    forged = ":".join([forged_payload, *token.split(":")[1:]])
    for bad in (forged, token[:-2], "not-a-token"):
        response = Client().post(f"/unsubscribe/{bad}/")
        assert response.status_code == 404
        assert b"This link does not work" in response.content
    assert not NotificationPreference.objects.exists()


def test_a_link_for_a_member_of_staff_does_nothing(pwp) -> None:
    token = unsubscribe_token(patient_id=pwp.pk, kind=NotificationKind.MOOD_REMINDER)
    assert Client().post(f"/unsubscribe/{token}/").status_code == 404
    assert not NotificationPreference.objects.exists()


def test_staff_alerts_and_digests_have_no_link_of_their_own() -> None:
    for kind in (NotificationKind.STAFF_ALERT, NotificationKind.DIGEST):
        with pytest.raises(ValueError, match="cannot be stopped"):
            unsubscribe_token(patient_id=1, kind=kind)


def test_a_digest_has_a_stop_link_for_each_kind_in_it(run, patient_in_treatment) -> None:
    patient = patient_in_treatment("digest-links")
    with time_machine.travel(london(2026, 6, 2, 18, 30), tick=False):
        notification_enqueue_for_patient(
            key="digest-links:message",
            patient=patient,
            kind=NotificationKind.MESSAGE_RECEIVED,
            subject="Your therapist has written to you",
            body="Sign in to read it.",
        )
    run(london(2026, 6, 2, 19, 0))
    [email] = mail.outbox
    paths = [match.group(2) for match in STOP_LINK.finditer(str(email.body))]
    assert len(paths) == 2
    Client().post(paths[0])
    preference = NotificationPreference.objects.get(patient=patient)
    assert preference.message_received is False
    assert preference.mood_reminder is True
    assert Notification.objects.get(kind=NotificationKind.DIGEST).state == NotificationState.SENT
