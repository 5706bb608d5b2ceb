"""An unreachable database answers 503 "try again", never the 500 page (issue #16, item 4).

The database is made unreachable for real: the connection is closed and pointed at a port where
nothing listens, so the next query's connect fails as it does when PostgreSQL is stopped or does
not answer within libpq's connect timeout.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from accounts.tokens import device_token_issue


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable_database(postgres: None) -> Iterator[None]:
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_page_answers_try_again(patient, episode, request) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(patient)
    request.getfixturevalue("unreachable_database")

    response = client.get("/mood/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "not answering" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_api_call_answers_json_503(patient, episode, request) -> None:
    _, key = device_token_issue(user=patient)
    request.getfixturevalue("unreachable_database")

    response = Client(raise_request_exception=False).put(
        "/api/v1/mood/2026-06-17/",
        {"score": 5},
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
    )

    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
