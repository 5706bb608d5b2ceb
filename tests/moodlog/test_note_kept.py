"""A mood write that omits ``note`` keeps the day's note; ``"note": ""`` clears it (issue 20)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from moodlog.models import MoodRating


def write(client: APIClient, verb: str, day: str, body: dict[str, object]):
    if verb == "PUT":
        return client.put(f"/api/v1/mood/{day}/", body, format="json")
    return client.post("/api/v1/mood/", {**body, "date": day}, format="json")


@pytest.mark.parametrize("verb", ["PUT", "POST"])
def test_a_score_without_a_note_keeps_the_note(
    patient_api: APIClient, patient: User, verb: str
) -> None:
    day = str(patient.local_today())
    assert write(patient_api, verb, day, {"score": 3, "note": "Slept badly."}).status_code == 201
    response = write(patient_api, verb, day, {"score": 5})
    assert response.status_code == 200
    assert response.json()["score"] == 5
    assert response.json()["note"] == "Slept badly."
    assert MoodRating.objects.get(patient=patient).note == "Slept badly."


@pytest.mark.parametrize("verb", ["PUT", "POST"])
def test_a_null_note_also_keeps_the_note(patient_api: APIClient, patient: User, verb: str) -> None:
    day = str(patient.local_today())
    write(patient_api, verb, day, {"score": 3, "note": "Slept badly."})
    assert write(patient_api, verb, day, {"score": 4, "note": None}).json()["note"] == (
        "Slept badly."
    )


@pytest.mark.parametrize("verb", ["PUT", "POST"])
def test_an_empty_note_clears_it(patient_api: APIClient, patient: User, verb: str) -> None:
    day = str(patient.local_today())
    write(patient_api, verb, day, {"score": 3, "note": "Slept badly."})
    response = write(patient_api, verb, day, {"score": 5, "note": ""})
    assert response.status_code == 200
    assert response.json()["note"] == ""
    assert MoodRating.objects.get(patient=patient).note == ""


@pytest.mark.parametrize("verb", ["PUT", "POST"])
def test_a_new_day_without_a_note_has_none(
    patient_api: APIClient, patient: User, verb: str
) -> None:
    response = write(patient_api, verb, str(patient.local_today()), {"score": 7})
    assert response.status_code == 201
    assert response.json()["note"] == ""


def test_the_schema_says_a_missing_note_is_kept(patient_api: APIClient) -> None:
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for name in ("MoodRatingPutRequest", "MoodRatingPostRequest"):
        description = schema["components"]["schemas"][name]["properties"]["note"]["description"]
        assert "keeps the day's note" in description
        assert 'send "" to clear it' in description
