"""POST /api/v1/questionnaires/{code}/responses/ with an Idempotency-Key (issue 20): a retry
stores one response, raises one risk flag and queues one alert; a reused key is 422."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import IdempotencyRecord, User
from accounts.tokens import device_token_issue
from measures.models import QuestionnaireResponse
from notifications.models import Notification, NotificationKind
from safety.models import RiskFlag

URL = "/api/v1/questionnaires/phq9/responses/"
# Item 9 answered 2 ("more than half the days"): a risk flag for clinician review.
RISK_ANSWERS = [1, 1, 1, 1, 1, 1, 1, 1, 2]
KEY = "5d1f0a52-7a8c-4d6c-9d2e-1f3b0c6a2e44"


def token_client(user: User) -> APIClient:
    _, key = device_token_issue(user=user, device_name="test phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def post(client: APIClient, answers: list[int], key: str | None = KEY):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(URL, {"answers": answers}, format="json", headers=headers)


def alerts() -> int:
    return Notification.objects.filter(kind=NotificationKind.STAFF_ALERT).count()


@pytest.fixture
def api(patient: User, episode) -> APIClient:
    return token_client(patient)


def test_a_retry_replays_the_first_response_and_stores_nothing_twice(
    api: APIClient, patient: User, pwp: User
) -> None:
    first = post(api, RISK_ANSWERS)
    assert first.status_code == 201
    assert alerts() >= 1
    alerts_after_first = alerts()
    retry = post(api, RISK_ANSWERS)
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert "signposting" in retry.json()
    assert QuestionnaireResponse.objects.filter(patient=patient).count() == 1
    assert RiskFlag.objects.count() == 1
    assert alerts() == alerts_after_first


def test_the_same_key_with_other_answers_is_422(api: APIClient, patient: User) -> None:
    post(api, RISK_ANSWERS)
    response = post(api, [0] * 9)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert QuestionnaireResponse.objects.filter(patient=patient).count() == 1


def test_the_same_key_on_another_questionnaire_is_422(api: APIClient) -> None:
    post(api, RISK_ANSWERS)
    response = api.post(
        "/api/v1/questionnaires/gad7/responses/",
        {"answers": [0] * 7},
        format="json",
        headers={"Idempotency-Key": KEY},
    )
    assert response.status_code == 422


def test_refused_answers_are_not_remembered(api: APIClient, patient: User) -> None:
    assert post(api, [9] * 9).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert post(api, [0] * 9).status_code == 201


def test_without_a_key_each_post_is_a_new_response(api: APIClient, patient: User) -> None:
    post(api, [0] * 9, key=None)
    post(api, [0] * 9, key=None)
    assert QuestionnaireResponse.objects.filter(patient=patient).count() == 2


def test_a_malformed_key_is_400_and_stores_nothing(api: APIClient, patient: User) -> None:
    response = post(api, [0] * 9, key="has space")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_store_one_response_one_flag_one_alert(
    postgres: None, patient: User, episode, pwp: User
) -> None:
    """Two deliveries of the same request at the same moment, each in its own connection and
    real transaction: one commits, the other's response, flag and alert are rolled back, and
    both callers get the same answer."""
    _, token = device_token_issue(user=patient, device_name="test phone")
    barrier = threading.Barrier(2)

    def send(_index: int) -> tuple[int, dict]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait(timeout=10)
            response = post(client, RISK_ANSWERS)
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(send, range(2)))

    assert [status for status, _ in results] == [201, 201]
    assert results[0][1] == results[1][1]
    assert QuestionnaireResponse.objects.filter(patient=patient).count() == 1
    assert RiskFlag.objects.count() == 1
    flag = RiskFlag.objects.get()
    assert Notification.objects.filter(kind=NotificationKind.STAFF_ALERT).count() == len(
        set(
            Notification.objects.filter(kind=NotificationKind.STAFF_ALERT).values_list(
                "recipient_id", flat=True
            )
        )
    )
    assert flag.pwp == pwp
    assert (
        Notification.objects.filter(kind=NotificationKind.STAFF_ALERT, recipient=pwp).count() == 1
    )
    assert IdempotencyRecord.objects.filter(user=patient, key=KEY).count() == 1
