"""The patient's own API: this week's plan and feedback, messages with their therapist, and
topics for the next session (issue 20), each with its denials."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import device_token_issue
from clinician.models import Message, PatientTopic
from clinician.services import TaskInput, message_send, session_record_save
from notifications.models import Notification, NotificationKind
from safety.models import RiskFlag

RISK_WORDS = "Some days I want to end it all."


def token_client(user: User) -> APIClient:
    _, key = device_token_issue(user=user, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(patient: User, episode) -> APIClient:
    return token_client(patient)


# --- plan ---------------------------------------------------------------------------------------


def test_the_plan_has_last_sessions_tasks_and_the_next_session(
    api: APIClient, episode, pwp: User
) -> None:
    session_one = episode.appointments.get(number=1)
    with time_machine.travel(session_one.scheduled_at + datetime.timedelta(hours=1)):
        session_record_save(
            appointment=session_one,
            by=pwp,
            attendance="attended",
            agenda="",
            notes="Clinical notes stay with the PWP.",
            tasks=[TaskInput(description="Fill in the activity diary", minutes_per_day=10)],
        )
    response = api.get("/api/v1/plan/")
    assert response.status_code == 200
    body = response.json()
    assert body["tasks"] == [
        {
            "description": "Fill in the activity diary",
            "module_slug": "",
            "minutes_per_day": 10,
            "done": False,
        }
    ]
    assert body["next_session"]["number"] == 3
    assert body["feedback"] == []
    assert "Clinical notes" not in response.content.decode()


def test_the_plan_without_treatment_is_empty(service) -> None:
    from tests import factories

    body = token_client(factories.PatientFactory.create(service=service)).get("/api/v1/plan/")
    assert body.json() == {"tasks": [], "next_session": None, "feedback": []}


# --- messages ---------------------------------------------------------------------------------


def test_a_patient_sends_a_message_and_the_pwp_is_alerted(
    api: APIClient, episode, pwp: User
) -> None:
    response = api.post("/api/v1/messages/", {"body": "Can we talk about sleep?"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["body"], body["from_me"], body["read_at"]) == (
        "Can we talk about sleep?",
        True,
        None,
    )
    assert "not read straight away" in body["detail"]
    assert "signposting" not in body
    assert Message.objects.get().sender == episode.patient
    assert Notification.objects.filter(recipient=pwp, kind=NotificationKind.STAFF_ALERT).exists()


def test_the_list_is_the_thread_in_order(api: APIClient, episode, pwp: User) -> None:
    message_send(episode=episode, sender=pwp, body="How did the week go?")
    api.post("/api/v1/messages/", {"body": "Better, thanks."}, format="json")
    thread = api.get("/api/v1/messages/").json()
    assert [(item["body"], item["from_me"]) for item in thread] == [
        ("How did the week go?", False),
        ("Better, thanks.", True),
    ]


def test_marking_read_marks_only_the_therapists_messages(
    api: APIClient, episode, pwp: User
) -> None:
    message_send(episode=episode, sender=pwp, body="How did the week go?")
    api.post("/api/v1/messages/", {"body": "Better."}, format="json")
    response = api.post("/api/v1/messages/read/")
    assert response.json() == {"marked_read": 1}
    assert Message.objects.get(sender=pwp).read_at is not None
    assert Message.objects.get(sender=episode.patient).read_at is None
    assert api.post("/api/v1/messages/read/").json() == {"marked_read": 0}


def test_words_of_risk_in_a_message_bring_signposting_and_a_flag(api: APIClient, episode) -> None:
    response = api.post("/api/v1/messages/", {"body": RISK_WORDS}, format="json")
    assert response.status_code == 201
    assert response.json()["signposting"]["contacts"]
    assert RiskFlag.objects.filter(patient=episode.patient).count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"body": ""}, "Write a message before sending it."),
        ({"body": "x" * 2001}, "Messages can be up to 2000 characters long."),
        ({}, "Write a message before sending it."),
    ],
)
def test_a_bad_message_is_400_in_the_web_forms_words(
    api: APIClient, body: dict[str, str], message: str
) -> None:
    response = api.post("/api/v1/messages/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"body": [message]}
    assert not Message.objects.exists()


def test_a_retried_message_with_the_same_key_is_sent_once(api: APIClient) -> None:
    headers = {"Idempotency-Key": "message-1"}
    first = api.post("/api/v1/messages/", {"body": "Hello"}, format="json", headers=headers)
    retry = api.post("/api/v1/messages/", {"body": "Hello"}, format="json", headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert Message.objects.count() == 1
    other = api.post("/api/v1/messages/", {"body": "Bye"}, format="json", headers=headers)
    assert other.status_code == 422


def test_without_a_therapist_a_message_is_409(service) -> None:
    from tests import factories

    patient = factories.PatientFactory.create(service=service)
    factories.make_episode(patient=patient, pwp=None, service=service)
    client = token_client(patient)
    response = client.post("/api/v1/messages/", {"body": "Hello"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "no_therapist"


def test_another_patients_messages_are_never_in_my_list(
    api: APIClient, episode, other_patient: User, other_episode, other_pwp: User
) -> None:
    message_send(episode=other_episode, sender=other_pwp, body="Private to them")
    assert api.get("/api/v1/messages/").json() == []
    assert api.post("/api/v1/messages/read/").json() == {"marked_read": 0}
    assert Message.objects.get().read_at is None


# --- next session -----------------------------------------------------------------------------


def test_a_patient_writes_changes_and_clears_their_topics(api: APIClient, episode) -> None:
    empty = api.get("/api/v1/next-session/")
    assert empty.status_code == 200
    assert (empty.json()["text"], empty.json()["session"]["number"]) == ("", 3)
    written = api.put("/api/v1/next-session/", {"text": "My sleep."}, format="json")
    assert written.status_code == 200
    assert written.json()["text"] == "My sleep."
    changed = api.put("/api/v1/next-session/", {"text": "My sleep and worry."}, format="json")
    assert changed.json()["text"] == "My sleep and worry."
    assert PatientTopic.objects.get().text == "My sleep and worry."
    assert api.delete("/api/v1/next-session/").status_code == 204
    assert api.get("/api/v1/next-session/").json()["text"] == ""


def test_topics_over_1000_characters_are_400(api: APIClient) -> None:
    response = api.put("/api/v1/next-session/", {"text": "x" * 1001}, format="json")
    assert response.status_code == 400
    assert response.json() == {"text": ["Please keep this to 1000 characters or fewer."]}
    assert api.put("/api/v1/next-session/", {}, format="json").status_code == 400


def test_words_of_risk_in_topics_bring_signposting(api: APIClient, episode) -> None:
    response = api.put("/api/v1/next-session/", {"text": RISK_WORDS}, format="json")
    assert response.json()["signposting"]["title"]
    assert RiskFlag.objects.filter(patient=episode.patient).count() == 1


def test_without_a_session_topics_are_409(service) -> None:
    from tests import factories

    client = token_client(factories.PatientFactory.create(service=service))
    response = client.get("/api/v1/next-session/")
    assert response.status_code == 409
    assert response.json()["code"] == "no_session"
    assert client.put("/api/v1/next-session/", {"text": "x"}, format="json").status_code == 409


def test_another_patients_topics_are_not_mine(
    api: APIClient, episode, other_patient: User, other_episode
) -> None:
    token_client(other_patient).put("/api/v1/next-session/", {"text": "Theirs"}, format="json")
    assert api.get("/api/v1/next-session/").json()["text"] == ""


# --- denials ----------------------------------------------------------------------------------

PATHS = [
    ("get", "/api/v1/plan/"),
    ("get", "/api/v1/messages/"),
    ("post", "/api/v1/messages/"),
    ("post", "/api/v1/messages/read/"),
    ("get", "/api/v1/next-session/"),
    ("put", "/api/v1/next-session/"),
    ("delete", "/api/v1/next-session/"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_anonymous_gets_401(db: None, method: str, path: str) -> None:
    assert getattr(APIClient(), method)(path, {}, format="json").status_code == 401


@pytest.mark.parametrize("persona", ["pwp", "navigator", "service_admin"])
@pytest.mark.parametrize(("method", "path"), PATHS)
def test_staff_get_403(request, episode, persona: str, method: str, path: str) -> None:
    user = request.getfixturevalue(persona)
    response = getattr(token_client(user), method)(path, {"body": "x", "text": "x"}, format="json")
    assert response.status_code == 403
    assert not Message.objects.exists()
    assert not PatientTopic.objects.exists()
