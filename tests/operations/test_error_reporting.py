"""Sentry is optional, and an error report never carries anything about a patient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sentry_sdk

from operations.error_reporting import error_reporting_start, event_scrub, path_masked


@pytest.fixture
def _sentry_off_afterwards() -> Iterator[None]:
    yield
    sentry_sdk.init(dsn=None)


def test_sentry_is_off_without_a_dsn() -> None:
    assert sentry_sdk.get_client().is_active() is False


def test_paths_lose_ids_tokens_and_query_strings() -> None:
    assert path_masked("https://bcbt.example.org/clinician/patients/42/?search=Jamie") == (
        "/clinician/patients/:id/"
    )
    assert path_masked("/unsubscribe/eyJwIjo1MywiayI6Im1vb2RfcmVtaW5kZXIifQ:1wZxpg/") == (
        "/unsubscribe/:token/"
    )


def test_an_error_report_keeps_the_fault_and_drops_the_patient() -> None:
    event = {
        "request": {
            "method": "POST",
            "url": "https://bcbt.example.org/clinician/patients/42/?q=Jamie",
            "query_string": "q=Jamie",
            "data": {"note": "Jamie said she wants to end it all"},
            "cookies": {"sessionid": "secret"},
            "headers": {"Authorization": "Token abc"},
        },
        "user": {"id": 7, "email": "jamie@example.org", "username": "jamie"},
        "breadcrumbs": {"values": [{"message": "SELECT ... 'Jamie Smith'"}]},
        "extra": {"sys.argv": ["gunicorn"]},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": 'Key (patient_id, day)=(42, 2026-06-17) note "very low"',
                    "stacktrace": {
                        "frames": [{"function": "mood_rating_record", "vars": {"n": 1}}]
                    },
                }
            ]
        },
    }
    scrubbed = event_scrub(event, None)
    text = repr(scrubbed)
    for secret in ("Jamie", "end it all", "sessionid", "Token abc", "jamie@", "very low", "vars"):
        assert secret not in text
    assert scrubbed["request"] == {"method": "POST", "url": "/clinician/patients/:id/"}
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["exception"]["values"][0]["type"] == "IntegrityError"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["function"] == (
        "mood_rating_record"
    )


@pytest.mark.usefixtures("_sentry_off_afterwards")
def test_with_a_dsn_every_event_is_scrubbed_and_nothing_personal_is_sent_by_default() -> None:
    error_reporting_start(
        dsn="https://key@sentry.example.invalid/1", environment="test", release=""
    )
    options = sentry_sdk.get_client().options
    assert options["before_send"] is event_scrub
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_breadcrumbs"] == 0
