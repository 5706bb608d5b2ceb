"""Production logs: JSON lines, a request id on each, no patient data or query strings."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from accounts.models import User
from care.models import Episode
from operations.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything logged while the test runs, through the production formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_response_carries_a_request_id_that_its_log_lines_carry(
    pwp_client: Client, episode: Episode, log_lines: io.StringIO
) -> None:
    response = pwp_client.get("/clinician/")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    entries = _lines(log_lines)
    request_lines = [entry for entry in entries if entry["logger"] == "bcbt.request"]
    assert len(request_lines) == 1
    assert request_lines[0]["request_id"] == request_id
    assert request_lines[0]["view"] == "clinician:caseload"
    assert request_lines[0]["status"] == 200


def test_a_sane_incoming_request_id_is_kept_and_any_other_replaced(
    pwp_client: Client, log_lines: io.StringIO
) -> None:
    kept = pwp_client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-0123456789")
    assert kept["X-Request-ID"] == "proxy-id-0123456789"
    replaced = pwp_client.get("/healthz", HTTP_X_REQUEST_ID='"name": "Charlie Smith"')
    assert replaced["X-Request-ID"] != '"name": "Charlie Smith"'
    assert len(replaced["X-Request-ID"]) == 32
    assert "Charlie" not in log_lines.getvalue()


def test_no_patient_name_or_query_string_reaches_the_log(
    pwp_client: Client, patient: User, episode: Episode, log_lines: io.StringIO
) -> None:
    name = f"{patient.first_name} {patient.last_name}"
    secret = "query-secret-7f3a"
    pwp_client.post(f"/clinician/?show=all&q={secret}", {"search": name})
    pwp_client.get(f"/clinician/patients/{patient.pk}/?token={secret}")
    pwp_client.get(f"/no-such-page/?name={patient.last_name}&token={secret}")
    Client().post("/accounts/login/?next=/clinician/", {"login": name, "password": secret})
    text = log_lines.getvalue()
    entries = _lines(log_lines)
    assert len(entries) >= 4
    assert all(entry["request_id"] for entry in entries)
    for needle in (patient.first_name, patient.last_name, secret, "?", "show=all"):
        assert needle not in text, needle
