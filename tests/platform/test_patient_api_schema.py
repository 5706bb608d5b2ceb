"""Schemathesis over the whole patient API (issue 20): no 5xx, every status code and body as
the schema says, and bad input refused with a 4xx, for positive and negative generated
requests to each patient endpoint (the mood and auth endpoints have their own run in
tests/moodlog/test_schema.py)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import User
from accounts.tokens import device_token_issue
from modules.models import Assignment
from modules.services import assignment_start, assignment_step_complete, modules_load
from tests.moodlog.test_schema import generous_write_limit, keep_the_test_connection

__all__ = ["generous_write_limit", "keep_the_test_connection"]

PATIENT_PATHS = {
    "/api/v1/modules/": {"get"},
    "/api/v1/modules/{slug}/": {"get"},
    "/api/v1/modules/{slug}/pages/{number}/done/": {"post"},
    "/api/v1/modules/{slug}/exercises/{key}/answers/": {"get", "post"},
    "/api/v1/questionnaires/": {"get"},
    "/api/v1/questionnaires/{code}/responses/": {"get", "post"},
    "/api/v1/plan/": {"get"},
    "/api/v1/messages/": {"get", "post"},
    "/api/v1/messages/read/": {"post"},
    "/api/v1/next-session/": {"get", "put", "delete"},
    "/api/v1/notifications/settings/": {"get", "put"},
}
# Real values for the path parameters, so that generated bodies reach the services.
KNOWN_PATH_VALUES: dict[str, dict[str, Any]] = {
    "/api/v1/modules/{slug}/": {"slug": "better-sleep"},
    "/api/v1/modules/{slug}/pages/{number}/done/": {"slug": "better-sleep", "number": 1},
    "/api/v1/modules/{slug}/exercises/{key}/answers/": {
        "slug": "better-sleep",
        "key": "sleep_plan",
    },
    "/api/v1/questionnaires/{code}/responses/": {"code": "phq9"},
}
EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def modules_loaded(db: None) -> None:
    # Before the episode, whose programme is made from the modules there are.
    modules_load()


def test_the_patient_api_keeps_to_its_schema(
    modules_loaded: None, patient: User, episode, generous_write_limit, keep_the_test_connection
) -> None:
    from bcbt.wsgi import application

    sleep = Assignment.objects.get(episode=episode, module__slug="better-sleep")
    assignment_start(assignment=sleep)
    for step in (1, 2, 3):
        assignment_step_complete(assignment=sleep, step=step)

    api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(
        path_regex=r"^/api/v1/(modules|questionnaires|plan|messages|next-session|notifications)"
    )
    operations = [result.ok() for result in api.get_all_operations()]  # type: ignore[union-attr]
    assert {(operation.path, operation.method.lower()) for operation in operations} == {
        (path, method) for path, methods in PATIENT_PATHS.items() for method in methods
    }
    no_input: set[tuple[str, str]] = set()
    for operation in operations:
        strategies = [
            (mode, operation.as_strategy(generation_mode=mode))
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        ]
        known = KNOWN_PATH_VALUES.get(operation.path)
        if known is not None:
            strategies.append(
                (GenerationMode.POSITIVE, operation.as_strategy(path_parameters=known))
            )
        for mode, strategy in strategies:

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                _, key = device_token_issue(user=patient)
                case.call_and_validate(
                    headers={"Authorization": f"Token {key}"},
                    excluded_checks=[positive_data_acceptance],
                )

            try:
                check()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE
                no_input.add((operation.path, operation.method.lower()))
    # Nothing can be malformed in a read whose path takes any text; every write had negatives.
    assert all(method == "get" for _path, method in no_input), no_input


@pytest.mark.parametrize("path", sorted(PATIENT_PATHS))
def test_every_patient_endpoint_documents_401_and_403(path: str) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    for method in PATIENT_PATHS[path]:
        responses = schema["paths"][path][method]["responses"]
        assert {"401", "403"} <= set(responses), (path, method)
