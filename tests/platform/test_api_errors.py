"""The API answers bad bodies with JSON: 400 for unparsable or too-deeply nested JSON, 413 for a
body over the size limit, never an HTML page or a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.tokens import device_token_issue
from care.models import Episode

NESTED = "[" * 2048 + "]" * 2048


def test_deeply_nested_json_sent_anonymously_to_the_token_endpoint_gets_400_json(
    db: None,
) -> None:
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/token/", NESTED, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_deeply_nested_json_to_the_mood_api_gets_400_json(patient: User, episode: Episode) -> None:
    _, key = device_token_issue(user=patient)
    response = Client(raise_request_exception=False).post(
        "/api/v1/mood/", NESTED, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_malformed_json_gets_400_json(db: None) -> None:
    response = Client().post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/mood/"])
def test_a_body_over_the_limit_gets_413_json(
    settings, patient: User, episode: Episode, path: str
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    _, key = device_token_issue(user=patient)
    body = '{"score": 5, "note": "' + "x" * 4096 + '"}'
    headers = {} if path.endswith("/token/") else {"Authorization": f"Token {key}"}
    response = Client(raise_request_exception=False).post(
        path, body, content_type="application/json", headers=headers
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_a_web_form_over_the_limit_is_still_refused(settings, db: None) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = Client(raise_request_exception=False).post("/support/", {"contact": "x" * 4096})
    assert response.status_code in (400, 413)
