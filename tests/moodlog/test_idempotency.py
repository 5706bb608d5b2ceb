"""POST /api/v1/mood/ with an Idempotency-Key: a retry gets the first answer, a reused key 422."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import IdempotencyRecord, User
from moodlog.models import MoodRating
from tests.moodlog.conftest import token_client

KEY = "0b6f6c3e-8d43-4a55-9f0e-4c7f3c2b9a10"


def post(client: APIClient, body: object, key: str | None = KEY):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/mood/", body, format="json", headers=headers)


def test_a_retry_with_the_same_key_replays_the_first_response(
    patient_api: APIClient, patient: User
) -> None:
    first = post(patient_api, {"score": 6, "note": "Went for a walk."})
    assert first.status_code == 201
    retry = post(patient_api, {"note": "Went for a walk.", "score": 6})
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert MoodRating.objects.filter(patient=patient).count() == 1


def test_a_replay_does_not_undo_a_later_change(patient_api: APIClient, patient: User) -> None:
    """The replay answers from the record: it does not write the old score again."""
    post(patient_api, {"score": 6})
    today = patient.local_today()
    patient_api.put(f"/api/v1/mood/{today}/", {"score": 9}, format="json")
    assert post(patient_api, {"score": 6}).json()["score"] == 6
    assert MoodRating.objects.get(patient=patient).score == 9


def test_the_same_key_with_a_different_payload_is_422(
    patient_api: APIClient, patient: User
) -> None:
    post(patient_api, {"score": 6})
    response = post(patient_api, {"score": 7})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert MoodRating.objects.get(patient=patient).score == 6
    # Even an invalid payload under a used key is a reused key first.
    assert post(patient_api, {"score": 70}).status_code == 422


def test_a_new_key_is_a_new_request(patient_api: APIClient, patient: User) -> None:
    post(patient_api, {"score": 6})
    response = post(patient_api, {"score": 7}, key="another-key")
    assert response.status_code == 200
    assert MoodRating.objects.get(patient=patient).score == 7


def test_keys_belong_to_one_person(
    patient_api: APIClient, other_patient: User, other_episode
) -> None:
    post(patient_api, {"score": 6})
    response = post(token_client(other_patient), {"score": 2})
    assert response.status_code == 201
    assert response.json()["score"] == 2


def test_a_refused_request_is_not_remembered(patient_api: APIClient, patient: User) -> None:
    assert post(patient_api, {"score": 0}).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    # So the app can correct the request and send it with the same key.
    assert post(patient_api, {"score": 4}).status_code == 201
    assert MoodRating.objects.get(patient=patient).score == 4


def test_the_replay_survives_the_day_changing(patient: User, episode, settings) -> None:
    import time_machine
    from django.utils import timezone

    # The app's access token would have been refreshed overnight; this one simply lasts.
    settings.BCBT_ACCESS_TOKEN_LIFETIME_MINUTES = 2 * 24 * 60
    patient_api = token_client(patient)

    first = post(patient_api, {"score": 6})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        retry = post(patient_api, {"score": 6})
    assert retry.json()["date"] == first.json()["date"]
    assert MoodRating.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize("key", ["", "a" * 256, "has space", "tab\there"])
def test_a_malformed_key_is_400(patient_api: APIClient, patient: User, key: str) -> None:
    response = post(patient_api, {"score": 6}, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not MoodRating.objects.filter(patient=patient).exists()


def test_without_a_key_nothing_is_recorded(patient_api: APIClient) -> None:
    assert post(patient_api, {"score": 6}, key=None).status_code == 201
    assert not IdempotencyRecord.objects.exists()


def test_losing_a_race_for_the_same_key_rolls_back_and_replays(
    patient_api: APIClient, patient: User, monkeypatch
) -> None:
    """Two deliveries of one request at once: the second finds no record when it looks, but the
    first commits its record before the second does. The second's write is rolled back and it
    answers with the first response."""
    from accounts import idempotency

    winner = {"date": "2026-01-01", "score": 6, "note": "", "recorded_at": "x", "updated_at": "x"}
    request_hash = idempotency.idempotency_request_hash(
        method="POST", path="/api/v1/mood/", data={"score": 6}
    )
    IdempotencyRecord.objects.create(
        user=patient, key=KEY, request_hash=request_hash, status_code=201, response_body=winner
    )
    calls: list[int] = []
    find = idempotency.idempotency_record_find

    def not_there_the_first_time(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            return None
        return find(**kwargs)

    monkeypatch.setattr(idempotency, "idempotency_record_find", not_there_the_first_time)
    response = post(patient_api, {"score": 6})
    assert response.status_code == 201
    assert response.json() == winner
    assert not MoodRating.objects.filter(patient=patient).exists()
