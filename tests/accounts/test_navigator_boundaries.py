"""The navigator sees engagement and technical data only: never questionnaire answers, mood
notes, exercise answers or session notes. These tests walk every clinical page and API
endpoint in the URL configuration, so pages other apps add are covered too."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from notifications.services import notification_enqueue

# Clinical areas of the site and of the API: treatment content, answers, scores and notes.
CLINICAL_PREFIXES = (
    "/clinician/",
    "/mood/",
    "/modules/",
    "/measures/",
    "/questionnaires/",
    "/api/v1/mood",
    "/api/v1/questionnaires",
    "/api/v1/modules",
    "/api/v1/patients",
    "/api/v1/exercises",
    "/api/v1/sessions",
    "/api/v1/messages",
)


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += _walk(pattern.url_patterns, prefix + route)
        else:
            paths.append(prefix + route)
    return paths


def _concrete(route: str, patient_id: int) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<int:[^>]*patient[^>]*>", str(patient_id), route)
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug):[^>]*date[^>]*>", timezone.localdate().isoformat(), route)
    route = re.sub(r"<(?:str|slug|path):[^>]+>", "phq9", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<[^>]+>", "1", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    route = route.replace("\\.", ".").replace("\\", "")
    route = re.sub(r"[()?*+\[\]|]", "", route)
    return "/" + route


def _clinical_paths(patient_id: int) -> list[str]:
    paths = {_concrete(route, patient_id) for route in _walk(get_resolver().url_patterns)}
    return sorted(path for path in paths if path.startswith(CLINICAL_PREFIXES))


def test_there_are_clinical_pages_to_check(patient) -> None:
    assert "/clinician/" in _clinical_paths(patient.pk)


def test_the_navigator_gets_403_or_404_on_every_clinical_page_and_endpoint(
    navigator_client, patient, episode
) -> None:
    answered = []
    for path in _clinical_paths(patient.pk):
        response = navigator_client.get(path)
        if response.status_code not in (403, 404, 405):
            answered.append((path, response.status_code))
    assert answered == [], f"these clinical paths answered the navigator: {answered}"


def test_the_navigator_cannot_write_clinical_data_either(
    navigator_client, patient, episode
) -> None:
    answered = []
    for path in _clinical_paths(patient.pk):
        response = navigator_client.post(path, {}, content_type="application/json")
        if response.status_code not in (403, 404, 405):
            answered.append((path, response.status_code))
    assert answered == [], f"these clinical paths accepted a navigator's POST: {answered}"


def _store_mood_note(patient, episode, pwp, text):
    from moodlog.services import mood_rating_record

    mood_rating_record(patient=patient, day=patient.local_today(), score=3, note=text)


def _store_session_notes(patient, episode, pwp, text):
    from clinician.services import session_record_save

    session_record_save(
        appointment=episode.appointments.get(number=1),
        by=pwp,
        attendance="attended",
        agenda=text,
        notes=text,
        tasks=[],
    )


def _store_message(patient, episode, pwp, text):
    from clinician.services import message_send

    message_send(episode=episode, sender=patient, body=text)


def _store_topic(patient, episode, pwp, text):
    from clinician.services import patient_topic_set

    patient_topic_set(episode=episode, appointment=episode.appointments.get(number=2), text=text)


@pytest.mark.parametrize(
    "store", [_store_mood_note, _store_session_notes, _store_message, _store_topic]
)
def test_navigator_pages_never_show_clinical_text(
    navigator_client, patient, episode, pwp, store
) -> None:
    secret = "SECRET-CLINICAL-TEXT-7361"
    store(patient, episode, pwp, secret)
    for path in ("/navigator/", f"/navigator/patients/{patient.pk}/"):
        assert secret not in navigator_client.get(path).content.decode()


def test_navigator_pages_show_delivery_facts_but_never_message_content(
    navigator_client, patient, episode
) -> None:
    for number in range(2):
        notification, _ = notification_enqueue(
            key=f"boundary-{number}",
            recipient=patient,
            patient=patient,
            kind="message_received",
            subject="SUBJECT-NOT-FOR-NAVIGATOR",
            body="BODY-NOT-FOR-NAVIGATOR: how are you sleeping?",
        )
        notification.state = "dead"
        notification.last_error = "Mailbox full"
        notification.save(update_fields=["state", "last_error"])
    for path in ("/navigator/", f"/navigator/patients/{patient.pk}/"):
        page = navigator_client.get(path).content.decode()
        assert "NOT-FOR-NAVIGATOR" not in page
    detail = navigator_client.get(f"/navigator/patients/{patient.pk}/").content.decode()
    assert "Mailbox full" in detail
    assert "Failed for good" in detail
