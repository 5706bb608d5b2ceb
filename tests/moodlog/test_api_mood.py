"""Contract tests of the patient's mood API, status code by status code (PRODUCT.md)."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import device_token_issue, device_token_revoke
from moodlog import services
from moodlog.models import MoodRating
from moodlog.services import mood_rating_record

FIELDS = {"date", "score", "note", "recorded_at", "updated_at"}


def url(day: datetime.date | str) -> str:
    return f"/api/v1/mood/{day}/"


# --- PUT /api/v1/mood/{date}/ -------------------------------------------------------------


def test_put_creates_a_rating_with_201(patient_api: APIClient, patient: User, today) -> None:
    response = patient_api.put(url(today), {"score": 7, "note": "Went for a walk."}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS
    assert body["date"] == today.isoformat()
    assert body["score"] == 7
    assert body["note"] == "Went for a walk."
    assert body["recorded_at"] == body["updated_at"]
    rating = MoodRating.objects.get(patient=patient)
    assert (rating.day, rating.score) == (today, 7)


def test_put_again_replaces_the_rating_with_200(
    patient_api: APIClient, patient: User, today
) -> None:
    first = patient_api.put(url(today), {"score": 3}, format="json").json()
    response = patient_api.put(url(today), {"score": 8}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["score"] == 8
    assert body["note"] == ""
    assert body["recorded_at"] == first["recorded_at"]
    assert body["updated_at"] >= first["updated_at"]
    assert MoodRating.objects.filter(patient=patient).count() == 1


def test_put_the_same_request_twice_is_safe(patient_api: APIClient, patient: User, today) -> None:
    for _ in range(2):
        response = patient_api.put(url(today), {"score": 5, "note": "x"}, format="json")
        assert response.status_code in (200, 201)
    assert MoodRating.objects.filter(patient=patient).count() == 1


def test_put_fourteen_days_back_is_accepted(patient_api: APIClient, today) -> None:
    response = patient_api.put(
        url(today - datetime.timedelta(days=14)), {"score": 4}, format="json"
    )
    assert response.status_code == 201


def test_a_null_note_means_no_note(patient_api: APIClient, today) -> None:
    response = patient_api.put(url(today), {"score": 4, "note": None}, format="json")
    assert response.status_code == 201
    assert response.json()["note"] == ""


# --- 400: nothing stored, a message per field ------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"score": 0},
        {"score": 11},
        {"score": -3},
        {"score": "7"},
        {"score": 7.5},
        {"score": 7.0},
        {"score": True},
        {"score": None},
        {"note": "no score"},
        {},
    ],
    ids=[
        "zero",
        "eleven",
        "negative",
        "string",
        "fraction",
        "float",
        "boolean",
        "null",
        "missing",
        "empty",
    ],
)
def test_a_score_that_is_not_a_whole_number_from_1_to_10_is_rejected(
    patient_api: APIClient, patient: User, today, body
) -> None:
    response = patient_api.put(url(today), body, format="json")
    assert response.status_code == 400
    assert response.json()["score"] == [services.SCORE_MESSAGE]
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_a_note_over_500_characters_is_rejected(
    patient_api: APIClient, patient: User, today
) -> None:
    response = patient_api.put(url(today), {"score": 5, "note": "a" * 501}, format="json")
    assert response.status_code == 400
    assert response.json() == {"note": [services.NOTE_MESSAGE]}
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_a_note_of_exactly_500_characters_is_accepted(patient_api: APIClient, today) -> None:
    response = patient_api.put(url(today), {"score": 5, "note": "a" * 500}, format="json")
    assert response.status_code == 201


def test_a_day_in_the_future_is_rejected(patient_api: APIClient, patient: User, today) -> None:
    response = patient_api.put(url(today + datetime.timedelta(days=1)), {"score": 5}, format="json")
    assert response.status_code == 400
    assert response.json() == {"date": [services.FUTURE_DAY_MESSAGE]}
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_a_day_more_than_14_days_back_is_rejected(
    patient_api: APIClient, patient: User, today
) -> None:
    response = patient_api.put(
        url(today - datetime.timedelta(days=15)), {"score": 5}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"date": [services.OLD_DAY_MESSAGE]}
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_several_problems_are_reported_together(patient_api: APIClient, today) -> None:
    response = patient_api.put(url(today), {"score": 12, "note": "a" * 600}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"score", "note"}


@pytest.mark.parametrize("day", ["2026-02-30", "today", "20260302", "2026-3-2", "2026-W10-1"])
def test_a_path_that_is_not_a_real_date_is_400(patient_api: APIClient, day: str) -> None:
    response = patient_api.put(url(day), {"score": 5}, format="json")
    assert response.status_code == 400
    assert "date" in response.json()
    assert patient_api.get(url(day)).status_code == 400


def test_malformed_json_is_400_and_stores_nothing(
    patient_api: APIClient, patient: User, today
) -> None:
    response = patient_api.put(url(today), b"{score: 5", content_type="application/json")
    assert response.status_code == 400
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_a_rejected_change_leaves_the_earlier_rating_alone(
    patient_api: APIClient, patient: User, today
) -> None:
    patient_api.put(url(today), {"score": 6, "note": "kept"}, format="json")
    assert patient_api.put(url(today), {"score": 60}, format="json").status_code == 400
    rating = MoodRating.objects.get(patient=patient)
    assert (rating.score, rating.note) == (6, "kept")


# --- POST /api/v1/mood/ -------------------------------------------------------------------------


def test_post_without_a_date_rates_today_with_201(
    patient_api: APIClient, patient: User, today
) -> None:
    response = patient_api.post("/api/v1/mood/", {"score": 6}, format="json")
    assert response.status_code == 201
    assert response.json()["date"] == today.isoformat()
    again = patient_api.post("/api/v1/mood/", {"score": 2, "note": "later"}, format="json")
    assert again.status_code == 200
    assert again.json()["score"] == 2
    assert MoodRating.objects.filter(patient=patient).count() == 1


def test_post_with_a_date_rates_that_day(patient_api: APIClient, today) -> None:
    yesterday = today - datetime.timedelta(days=1)
    response = patient_api.post(
        "/api/v1/mood/", {"score": 6, "date": yesterday.isoformat()}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["date"] == yesterday.isoformat()


@pytest.mark.parametrize("date", ["yesterday", "2026-02-30", 20260302])
def test_post_with_a_bad_date_is_400(patient_api: APIClient, patient: User, date: object) -> None:
    response = patient_api.post("/api/v1/mood/", {"score": 6, "date": date}, format="json")
    assert response.status_code == 400
    assert "date" in response.json()
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_post_with_a_date_too_far_back_is_400(patient_api: APIClient, patient: User, today) -> None:
    day = today - datetime.timedelta(days=15)
    response = patient_api.post(
        "/api/v1/mood/", {"score": 6, "date": day.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"date": [services.OLD_DAY_MESSAGE]}
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_post_form_data_is_not_accepted(patient_api: APIClient, patient: User) -> None:
    response = patient_api.post("/api/v1/mood/", {"score": "6"})
    assert response.status_code == 415
    assert not MoodRating.objects.filter(patient=patient).exists()


# --- GET -----------------------------------------------------------------------------------------


def test_get_lists_my_ratings_by_date_with_from_and_to(
    patient_api: APIClient, patient: User, other_patient: User, today
) -> None:
    for back, score in ((0, 7), (1, 5), (3, 4), (10, 2)):
        mood_rating_record(patient=patient, day=today - datetime.timedelta(days=back), score=score)
    mood_rating_record(patient=other_patient, day=today, score=1)

    everything = patient_api.get("/api/v1/mood/")
    assert everything.status_code == 200
    assert [row["score"] for row in everything.json()] == [2, 4, 5, 7]
    assert all(set(row) == FIELDS for row in everything.json())

    start = (today - datetime.timedelta(days=3)).isoformat()
    end = (today - datetime.timedelta(days=1)).isoformat()
    some = patient_api.get("/api/v1/mood/", {"from": start, "to": end}).json()
    assert [row["date"] for row in some] == [start, end]
    assert [row["score"] for row in patient_api.get("/api/v1/mood/", {"from": end}).json()] == [
        5,
        7,
    ]


@pytest.mark.parametrize(
    "query",
    [{"from": "last week"}, {"to": "2026-13-01"}, {"from": "2026-03-05", "to": "2026-03-01"}],
)
def test_get_list_with_a_bad_range_is_400(patient_api: APIClient, query: dict[str, str]) -> None:
    response = patient_api.get("/api/v1/mood/", query)
    assert response.status_code == 400
    assert set(response.json()) <= {"from", "to"}


def test_get_one_day(patient_api: APIClient, patient: User, today) -> None:
    mood_rating_record(patient=patient, day=today, score=9, note="Good day at work.")
    response = patient_api.get(url(today))
    assert response.status_code == 200
    assert response.json()["score"] == 9
    assert response.json()["note"] == "Good day at work."


def test_get_a_day_without_a_rating_is_404(patient_api: APIClient, today) -> None:
    assert patient_api.get(url(today)).status_code == 404


def test_another_patients_rating_is_404(patient_api: APIClient, other_patient: User, today) -> None:
    mood_rating_record(patient=other_patient, day=today, score=3)
    assert patient_api.get(url(today)).status_code == 404
    assert patient_api.delete(url(today)).status_code == 404
    assert patient_api.get("/api/v1/mood/").json() == []
    assert MoodRating.objects.filter(patient=other_patient).count() == 1


# --- DELETE --------------------------------------------------------------------------------------


def test_delete_removes_my_rating_with_204(patient_api: APIClient, patient: User, today) -> None:
    mood_rating_record(patient=patient, day=today, score=4)
    response = patient_api.delete(url(today))
    assert response.status_code == 204
    assert not MoodRating.objects.filter(patient=patient).exists()
    assert patient_api.delete(url(today)).status_code == 404


def test_delete_of_a_day_older_than_14_days_is_400(
    patient_api: APIClient, patient: User, today
) -> None:
    from moodlog.services import MoodRatingEntry, mood_ratings_import

    old = today - datetime.timedelta(days=20)
    mood_ratings_import(patient=patient, entries=[MoodRatingEntry(day=old, score=3)])
    response = patient_api.delete(url(old))
    assert response.status_code == 400
    assert MoodRating.objects.filter(patient=patient, day=old).exists()


# --- 409 -----------------------------------------------------------------------------------------


def test_a_write_that_keeps_colliding_is_409_not_500(
    patient_api: APIClient, patient: User, today, monkeypatch
) -> None:
    """If the service cannot make the write for a clash (see the service's own test), the API
    says 409 so that the app sends it again, never 500."""
    from moodlog import api

    def clashes(**kwargs: object) -> None:
        raise services.MoodRatingConflict

    monkeypatch.setattr(api, "mood_rating_record", clashes)
    for response in (
        patient_api.put(url(today), {"score": 5}, format="json"),
        patient_api.post("/api/v1/mood/", {"score": 5}, format="json"),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"
    assert not MoodRating.objects.filter(patient=patient).exists()


# --- 401 and 403 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/mood/"),
        ("post", "/api/v1/mood/"),
        ("get", "/api/v1/mood/2026-03-02/"),
        ("put", "/api/v1/mood/2026-03-02/"),
        ("delete", "/api/v1/mood/2026-03-02/"),
        ("get", "/api/v1/patients/"),
        ("get", "/api/v1/patients/1/mood/"),
        ("post", "/api/v1/auth/logout/"),
    ],
)
def test_anonymous_gets_401(anonymous_api: APIClient, db: None, method: str, path: str) -> None:
    response = getattr(anonymous_api, method)(path, {"score": 5}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()


def test_a_revoked_token_gets_401(patient: User, episode, today) -> None:
    token, key = device_token_issue(user=patient)
    device_token_revoke(by=patient, token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.put(url(today), {"score": 5}, format="json")
    assert response.status_code == 401
    assert not MoodRating.objects.exists()


def test_a_made_up_token_gets_401(db: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/mood/").status_code == 401


@pytest.mark.parametrize("persona", ["pwp_api", "navigator_api", "service_admin_api"])
def test_staff_cannot_keep_mood_ratings_403(persona: str, request: pytest.FixtureRequest) -> None:
    client: APIClient = request.getfixturevalue(persona)
    for method, path in (
        ("get", "/api/v1/mood/"),
        ("post", "/api/v1/mood/"),
        ("put", "/api/v1/mood/2026-03-02/"),
        ("get", "/api/v1/mood/2026-03-02/"),
        ("delete", "/api/v1/mood/2026-03-02/"),
    ):
        response = getattr(client, method)(path, {"score": 5}, format="json")
        assert response.status_code == 403, (persona, method, path)
    assert not MoodRating.objects.exists()


def test_the_session_of_the_web_page_also_works(patient_client, patient: User, today) -> None:
    response = patient_client.get("/api/v1/mood/")
    assert response.status_code == 200


def test_writes_cost_a_fixed_number_of_queries(
    patient_api: APIClient, today, django_assert_max_num_queries
) -> None:
    patient_api.get("/api/v1/mood/")  # the token's last use is written once a minute
    with django_assert_max_num_queries(6):
        assert patient_api.put(url(today), {"score": 5}, format="json").status_code == 201
    with django_assert_max_num_queries(4):
        assert patient_api.put(url(today), {"score": 6}, format="json").status_code == 200
