"""Concurrent writes for the same day on PostgreSQL: one row, no 500, whoever wins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import IdempotencyRecord, User
from accounts.tokens import device_token_issue
from moodlog.models import MoodRating
from moodlog.services import mood_rating_record

THREADS = 10

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(work, count: int = THREADS) -> list:
    """Start ``count`` threads that each call ``work(index)`` as close together as we can."""
    barrier = threading.Barrier(count)

    def one(index: int):
        try:
            barrier.wait(timeout=10)
            return work(index)
        finally:
            # Each thread has its own database connection; close it so the test database can
            # be flushed and dropped.
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture
def patient_key(postgres: None, patient: User, episode) -> str:
    _, key = device_token_issue(user=patient)
    return key


def test_ten_puts_for_the_same_day_make_one_row(patient: User, patient_key: str) -> None:
    day = patient.local_today()

    def put(index: int) -> tuple[int, int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {patient_key}")
        response = client.put(f"/api/v1/mood/{day}/", {"score": index + 1}, format="json")
        return response.status_code, response.json().get("score", 0)

    results = run_at_once(put)
    statuses = [status for status, _ in results]
    assert all(status in (200, 201, 409) for status in statuses), statuses
    assert statuses.count(201) == 1, statuses
    assert MoodRating.objects.filter(patient=patient, day=day).count() == 1
    stored = MoodRating.objects.get(patient=patient, day=day).score
    # The row holds one of the scores that was sent and answered with success.
    assert stored in {score for status, score in results if status in (200, 201)}


def test_ten_service_calls_for_the_same_day_make_one_row(postgres: None, patient: User) -> None:
    day = patient.local_today()
    results = run_at_once(
        lambda index: mood_rating_record(patient=patient, day=day, score=index + 1).created
    )
    assert results.count(True) == 1
    assert MoodRating.objects.filter(patient=patient, day=day).count() == 1


def test_ten_retries_with_one_idempotency_key_make_one_record(
    patient: User, patient_key: str
) -> None:
    def post(index: int) -> tuple[int, dict]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {patient_key}")
        response = client.post(
            "/api/v1/mood/", {"score": 4}, format="json", headers={"Idempotency-Key": "one-key"}
        )
        return response.status_code, response.json()

    results = run_at_once(post)
    assert {status for status, _ in results} <= {200, 201}
    bodies = [body for _, body in results]
    # Every caller saw the same rating, and there is one rating and one record.
    assert all(body["score"] == 4 for body in bodies)
    assert len({body["recorded_at"] for body in bodies}) == 1
    assert MoodRating.objects.filter(patient=patient).count() == 1
    assert IdempotencyRecord.objects.filter(user=patient, key="one-key").count() == 1
