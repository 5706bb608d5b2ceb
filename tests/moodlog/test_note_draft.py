"""The mood note is saved as you go too: "Save note for later" without JavaScript, shown again
on return, and gone once the rating is saved with it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from accounts.drafts import draft_save
from accounts.models import Draft, User
from moodlog.models import MoodRating
from moodlog.services import mood_rating_record

pytestmark = pytest.mark.usefixtures("episode")


def key_for(day: datetime.date) -> str:
    return f"mood-note.{day.isoformat()}"


def test_a_note_saved_for_later_comes_back_and_goes_with_the_rating(
    patient_client: Client, patient: User
) -> None:
    today = patient.local_today()
    response = patient_client.post(
        "/mood/", {"action": "draft", "day": today.isoformat(), "note": "Walked to the"}
    )
    assert response.status_code == 302
    assert not MoodRating.objects.exists()
    assert Draft.objects.get(user=patient).key == key_for(today)
    page = patient_client.get("/mood/").content.decode()
    assert "Walked to the</textarea>" in page
    assert "Your note is saved for later." in page

    patient_client.post(
        "/mood/", {"day": today.isoformat(), "score": "6", "note": "Walked to the park."}
    )
    assert MoodRating.objects.get().note == "Walked to the park."
    assert not Draft.objects.exists()


def test_a_draft_older_than_the_rating_is_dropped(patient_client: Client, patient: User) -> None:
    today = patient.local_today()
    draft_save(user=patient, key=key_for(today), fields={"note": "Old draft"})
    # Rated later from the app, with a note of its own.
    with time_machine.travel(datetime.timedelta(minutes=5)):
        mood_rating_record(patient=patient, day=today, score=4, note="From the app")
        page = patient_client.get("/mood/").content.decode()
    assert "From the app</textarea>" in page
    assert "Old draft" not in page
    assert not Draft.objects.exists()


def test_a_note_for_a_day_that_cannot_be_changed_is_kept_for_today(
    patient_client: Client, patient: User
) -> None:
    patient_client.post("/mood/", {"action": "draft", "day": "2020-01-01", "note": "Hm"})
    assert Draft.objects.get(user=patient).key == key_for(patient.local_today())
