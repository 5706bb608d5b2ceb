"""``/api/v1/drafts/{key}/`` keeps to its OpenAPI description under schemathesis' generated
requests (in-process, through the WSGI app): no 5xx, every status and body as documented."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import User
from accounts.tokens import device_token_issue

pytestmark = pytest.mark.django_db
EXAMPLES = 25
MY_FORM = "exercise.understanding-low-mood.my_low_mood_cycle"


@pytest.fixture
def keep_the_test_connection():
    # As in tests/moodlog/test_schema.py: the WSGI app would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_draft_endpoint_keeps_to_its_schema(
    patient: User, episode, keep_the_test_connection
) -> None:
    from bcbt.wsgi import application

    api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(
        path_regex=r"^/api/v1/drafts/"
    )
    operations = [result.ok() for result in api.get_all_operations()]  # type: ignore[union-attr]
    assert {operation.method.lower() for operation in operations} == {"get", "put", "delete"}
    _, token = device_token_issue(user=patient)
    for operation in operations:
        # Random keys are nearly all 404; one of the patient's own forms lets generated bodies
        # reach the database and come back.
        strategies = [
            (mode, operation.as_strategy(generation_mode=mode))
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        ] + [(GenerationMode.POSITIVE, operation.as_strategy(path_parameters={"key": MY_FORM}))]
        for mode, strategy in strategies:

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                case.call_and_validate(
                    headers={"Authorization": f"Token {token}"},
                    excluded_checks=[positive_data_acceptance],
                )

            try:
                check()
            except Unsatisfiable:
                # Any text is a key, so a GET or DELETE has no invalid request to make.
                assert mode is GenerationMode.NEGATIVE
                assert operation.method.lower() in ("get", "delete")
