"""Save as you go: ``/api/v1/drafts/{key}/`` keeps, returns and discards a patient's unsaved
words in one of their own forms, and no one else's."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import yaml
from django.test import Client

from accounts.drafts import DRAFT_MAX_CHARACTERS
from accounts.models import Draft, User
from care.models import Episode
from exports.subject_access import subject_access_data
from modules.models import Assignment
from safety.models import RiskFlag
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

EXERCISE = "exercise.understanding-low-mood.my_low_mood_cycle"
URL = f"/api/v1/drafts/{EXERCISE}/"


def put(client: Client, url: str, body: object, **headers: str) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_patient_keeps_gets_and_discards_an_exercise_draft(
    patient_client: Client, patient: User
) -> None:
    response = put(patient_client, URL, {"values": {"when": "Sunday", "feelings": "Flat"}})
    assert response.status_code == 200
    assert response.json()["key"] == EXERCISE
    assert response.json()["values"] == {"when": "Sunday", "feelings": "Flat"}

    # Sent again (a phone retrying) and then changed: still one draft, the newest words.
    put(patient_client, URL, {"values": {"when": "Sunday", "feelings": "Flat"}})
    put(patient_client, URL, {"values": {"when": "Sunday evening"}})
    assert Draft.objects.filter(user=patient).count() == 1
    got = patient_client.get(URL)
    assert got.status_code == 200
    assert got.json()["values"] == {"when": "Sunday evening"}

    assert patient_client.delete(URL).status_code == 204
    assert patient_client.get(URL).status_code == 404
    assert not Draft.objects.exists()


@pytest.mark.parametrize(
    "key",
    [
        "message",
        "next-session",
        "mood-note.2026-06-17",
        "exercise.better-sleep.sleep_diary",
    ],
)
def test_each_patient_form_takes_a_draft(patient_client: Client, patient: User, key: str) -> None:
    if key.startswith("mood-note"):
        key = f"mood-note.{patient.local_today().isoformat()}"
    if key.startswith("exercise.better-sleep"):
        # The key of the first exercise of another module in the programme.
        assignment = Assignment.objects.get(episode__patient=patient, module__slug="better-sleep")
        assert assignment.module.latest_version is not None
        key = f"exercise.better-sleep.{assignment.module.latest_version.exercises[0]['key']}"
    response = put(patient_client, f"/api/v1/drafts/{key}/", {"values": {"text": "half"}})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "key",
    [
        "exercise.understanding-low-mood.no_such_exercise",
        "exercise.no-such-module.my_low_mood_cycle",
        "exercise.understanding-low-mood",
        "mood-note.2026-06-18",
        "mood-note.2026-05-01",
        "mood-note.yesterday",
        "message.extra",
        "diary",
        "Message",
    ],
)
def test_a_key_that_is_not_one_of_my_forms_is_404_and_stores_nothing(
    patient_client: Client, key: str
) -> None:
    assert put(patient_client, f"/api/v1/drafts/{key}/", {"values": {"a": "b"}}).status_code == 404
    assert patient_client.get(f"/api/v1/drafts/{key}/").status_code == 404
    assert not Draft.objects.exists()


def test_anonymous_gets_401(patient_client: Client) -> None:
    put(patient_client, URL, {"values": {"when": "Sunday"}})
    anonymous = Client()
    assert anonymous.get(URL).status_code == 401
    assert put(anonymous, URL, {"values": {"when": "x"}}).status_code == 401
    assert anonymous.delete(URL).status_code == 401
    assert Draft.objects.get().fields == {"when": "Sunday"}


def test_another_patient_never_sees_or_changes_my_draft(
    patient_client: Client, other_patient: User, other_episode: Episode
) -> None:
    put(patient_client, URL, {"values": {"when": "Sunday"}})
    other = client_for(other_patient)
    assert other.get(URL).status_code == 404
    # Their own draft of the same exercise is theirs alone.
    put(other, URL, {"values": {"when": "Monday"}})
    other.delete(URL)
    assert patient_client.get(URL).json()["values"] == {"when": "Sunday"}


@pytest.mark.parametrize("persona", ["pwp_client", "navigator_client", "service_admin_client"])
def test_staff_get_403(
    persona: str, patient_client: Client, request: pytest.FixtureRequest
) -> None:
    put(patient_client, URL, {"values": {"when": "Sunday"}})
    client: Client = request.getfixturevalue(persona)
    assert client.get(URL).status_code == 403
    assert put(client, URL, {"values": {"when": "x"}}).status_code == 403
    assert client.delete(URL).status_code == 403
    assert Draft.objects.get().fields == {"when": "Sunday"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"values": "Sunday"}, "Send the fields as an object of name to text."),
        ({"values": {"when": 5}}, "The field 'when' must be text or a list of text."),
        ({"values": {"bad name": "x"}}, "'bad name' is not a field name."),
        (
            {"values": {"when": "x" * (DRAFT_MAX_CHARACTERS + 1)}},
            f"A draft holds at most {DRAFT_MAX_CHARACTERS} characters in all.",
        ),
        (
            {"values": {f"field{number}": "x" for number in range(41)}},
            "A draft holds at most 40 fields.",
        ),
    ],
)
def test_values_that_are_not_text_are_400_and_keep_the_draft(
    patient_client: Client, body: object, message: str
) -> None:
    put(patient_client, URL, {"values": {"when": "Sunday"}})
    response = put(patient_client, URL, body)
    assert response.status_code == 400
    assert response.json()["values"] == [message]
    assert Draft.objects.get().fields == {"when": "Sunday"}


def test_a_multiple_choice_is_kept_as_a_list(patient_client: Client) -> None:
    response = put(patient_client, URL, {"values": {"choices": ["a", "b"], "when": ""}})
    assert response.json()["values"] == {"choices": ["a", "b"], "when": ""}


def test_words_of_risk_in_a_draft_raise_no_flag(patient_client: Client, patient: User) -> None:
    # Only the final save reads the words: a draft is not yet something the patient sent.
    put(patient_client, URL, {"values": {"feelings": "Some days I want to end it all."}})
    put(patient_client, "/api/v1/drafts/message/", {"values": {"body": "I want to end it all."}})
    assert Draft.objects.filter(user=patient).count() == 2
    assert not RiskFlag.objects.exists()


def test_a_browser_session_needs_the_csrf_token(patient: User, episode: Episode) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    assert put(client, URL, {"values": {"when": "Sunday"}}).status_code == 403
    client.get("/mood/")
    token = client.cookies["csrftoken"].value
    assert put(client, URL, {"values": {"when": "Sunday"}}, X_CSRFToken=token).status_code == 200


def test_the_schema_describes_the_draft_endpoint() -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    operations = schema["paths"]["/api/v1/drafts/{key}/"]
    assert {"get", "put", "delete"} <= set(operations)
    assert {"401", "403", "404"} <= set(operations["put"]["responses"])
    assert set(operations["put"]["requestBody"]["content"]) == {"application/json"}
    assert "values" in schema["components"]["schemas"]["DraftRequest"]["properties"]


def test_drafts_are_in_the_patients_own_copy(patient_client: Client, patient: User) -> None:
    put(patient_client, URL, {"values": {"when": "Sunday"}})
    drafts = subject_access_data(patient=patient)["drafts"]
    assert [(row["key"], row["fields"]) for row in drafts] == [(EXERCISE, {"when": "Sunday"})]
    assert isinstance(drafts[0]["updated_at"], datetime.datetime)
