"""The patient's /mood/ page, without JavaScript: plain forms and links."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from accounts.models import User
from moodlog.models import MoodRating
from moodlog.services import MoodRatingEntry, mood_rating_record, mood_ratings_import


def html(response) -> str:
    return str(response.content.decode())


def test_the_page_offers_ten_labelled_buttons(patient_client: Client, patient: User) -> None:
    response = patient_client.get("/mood/")
    assert response.status_code == 200
    page = html(response)
    assert "How is your mood today?" in page
    values = re.findall(r'<button type="submit" name="score" value="(\d+)"', page)
    assert values == [str(number) for number in range(1, 11)]
    assert "Very low" in page
    assert "Very good" in page
    assert f'value="{patient.local_today().isoformat()}"' in page


def test_one_tap_saves_todays_rating(patient_client: Client, patient: User) -> None:
    today = patient.local_today()
    response = patient_client.post("/mood/", {"day": today.isoformat(), "score": "7", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == "/mood/"
    rating = MoodRating.objects.get(patient=patient)
    assert (rating.day, rating.score, rating.note) == (today, 7, "")
    page = html(patient_client.get("/mood/"))
    assert "Saved: 7 out of 10 for today." in page
    assert "You rated today 7 out of 10." in page
    assert f'data-day="{today.isoformat()}" data-score="7"' in page


def test_a_note_is_saved_with_the_score_and_shown_again(
    patient_client: Client, patient: User
) -> None:
    today = patient.local_today().isoformat()
    patient_client.post("/mood/", {"day": today, "score": "4", "note": "Slept badly."})
    page = html(patient_client.get("/mood/"))
    assert "Slept badly.</textarea>" in page
    assert '<details class="nhsuk-details bcbt-mood-note" open>' in page
    # Tapping another number keeps the note that is in the box.
    patient_client.post("/mood/", {"day": today, "score": "5", "note": "Slept badly."})
    assert MoodRating.objects.get(patient=patient).note == "Slept badly."


def test_changing_a_recent_day(patient_client: Client, patient: User) -> None:
    day = patient.local_today() - datetime.timedelta(days=3)
    mood_rating_record(patient=patient, day=day, score=2)
    page = html(patient_client.get(f"/mood/?day={day.isoformat()}"))
    assert "How was your mood on" in page
    assert "You rated this day 2 out of 10." in page
    response = patient_client.post("/mood/", {"day": day.isoformat(), "score": "6", "note": ""})
    assert response["Location"] == f"/mood/?day={day.isoformat()}"
    assert MoodRating.objects.get(patient=patient, day=day).score == 6


def test_the_table_links_only_days_that_can_be_changed(
    patient_client: Client, patient: User
) -> None:
    today = patient.local_today()
    page = html(patient_client.get("/mood/"))
    assert f'href="/mood/?day={(today - datetime.timedelta(days=14)).isoformat()}"' in page
    assert f'href="/mood/?day={(today - datetime.timedelta(days=15)).isoformat()}"' not in page
    assert page.count("Not rated") == 30


@pytest.mark.parametrize("day_param", ["nonsense", "2000-01-01", "2999-01-01"])
def test_a_day_that_cannot_be_changed_shows_today(patient_client: Client, day_param: str) -> None:
    page = html(patient_client.get(f"/mood/?day={day_param}"))
    assert "How is your mood today?" in page


def test_no_score_is_an_error_and_nothing_is_stored(patient_client: Client, patient: User) -> None:
    today = patient.local_today().isoformat()
    response = patient_client.post("/mood/", {"day": today, "note": "just a note"})
    assert response.status_code == 400
    page = html(response)
    assert "There is a problem" in page
    assert "Choose a number from 1 (very low) to 10 (very good)." in page
    assert "just a note</textarea>" in page
    assert not MoodRating.objects.exists()


def test_a_long_note_is_an_error(patient_client: Client, patient: User) -> None:
    today = patient.local_today().isoformat()
    response = patient_client.post("/mood/", {"day": today, "score": "5", "note": "x" * 501})
    assert response.status_code == 400
    assert "500 characters or fewer" in html(response)
    assert not MoodRating.objects.exists()


def test_a_day_outside_the_window_is_an_error(patient_client: Client, patient: User) -> None:
    old = (patient.local_today() - datetime.timedelta(days=15)).isoformat()
    response = patient_client.post("/mood/", {"day": old, "score": "5"})
    assert response.status_code == 400
    assert "14 days before it" in html(response)
    assert not MoodRating.objects.exists()


def test_removing_a_rating(patient_client: Client, patient: User) -> None:
    today = patient.local_today()
    mood_rating_record(patient=patient, day=today, score=5)
    assert "Remove today's rating" in html(patient_client.get("/mood/"))
    response = patient_client.post("/mood/remove/", {"day": today.isoformat()})
    assert response.status_code == 302
    assert not MoodRating.objects.exists()


def test_removing_an_old_rating_is_refused(patient_client: Client, patient: User) -> None:
    old = patient.local_today() - datetime.timedelta(days=20)
    mood_ratings_import(patient=patient, entries=[MoodRatingEntry(day=old, score=3)])
    patient_client.post("/mood/remove/", {"day": old.isoformat()})
    assert MoodRating.objects.filter(day=old).exists()


def test_the_chart_and_table_show_the_last_30_days(patient_client: Client, patient: User) -> None:
    today = patient.local_today()
    mood_ratings_import(
        patient=patient,
        entries=[
            MoodRatingEntry(day=today - datetime.timedelta(days=back), score=score, note=note)
            for back, score, note in ((1, 4, "Tired after work."), (2, 5, ""), (40, 9, ""))
        ],
    )
    page = html(patient_client.get("/mood/"))
    assert page.count('class="bcbt-mood-chart__point"') == 2
    assert 'role="img"' in page
    assert "2 of 30 days rated" in page
    assert "Tired after work." in page
    assert page.count("Not rated") == 28


def test_the_page_costs_a_fixed_number_of_queries(
    patient_client: Client, patient: User, django_assert_max_num_queries
) -> None:
    today = patient.local_today()
    mood_ratings_import(
        patient=patient,
        entries=[
            MoodRatingEntry(day=today - datetime.timedelta(days=back), score=5)
            for back in range(1, 30)
        ],
    )
    # The first request of a browser session records the session; measure a later one:
    # session, user, one query for the 30 days of ratings and one for a draft of the note.
    patient_client.get("/mood/")
    with django_assert_max_num_queries(4):
        assert patient_client.get("/mood/").status_code == 200


@pytest.mark.parametrize("persona", ["pwp_client", "navigator_client", "service_admin_client"])
def test_staff_get_403(persona: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(persona)
    assert client.get("/mood/").status_code == 403
    assert client.post("/mood/", {"score": "5"}).status_code == 403
    assert not MoodRating.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(db: None) -> None:
    response = Client().get("/mood/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
