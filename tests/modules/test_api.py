from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tokens import device_token_issue
from modules.services import assignment_start, assignment_step_complete, assignment_waive
from tests import factories
from tests.modules.conftest import assignment_for

URL = "/api/v1/modules/"


def test_anonymous_gets_401(db) -> None:
    assert APIClient().get(URL).status_code == 401


def test_a_patient_gets_their_programme_in_order_with_a_device_token(episode, pwp) -> None:
    sleep = assignment_for(episode, "better-sleep")
    assignment_start(assignment=sleep)
    assignment_step_complete(assignment=sleep, step=1)
    assignment_waive(by=pwp, assignment=assignment_for(episode, "staying-well"), reason="x")
    _, key = device_token_issue(user=episode.patient, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()[0]["slug"] == "understanding-low-mood"
    modules = {item["slug"]: item for item in response.json()}
    assert modules["understanding-low-mood"] == {
        "slug": "understanding-low-mood",
        "title": "Understanding low mood",
        "mandatory": True,
        "status": "not_started",
        "progress": 0,
        "kind": "pathway",
        "estimated_minutes": 15,
        "locked_reason": "",
        "aim_session": None,
    }
    assert (modules["better-sleep"]["status"], modules["better-sleep"]["progress"]) == (
        "in_progress",
        25,
    )
    assert modules["activity-diary"]["status"] == "locked"
    assert modules["staying-well"]["status"] == "waived"
    assert modules["managing-worry"]["mandatory"] is False


def test_a_patient_sees_only_their_own_programme(episode, other_episode) -> None:
    assignment_start(assignment=assignment_for(other_episode, "better-sleep"))
    client = APIClient()
    client.force_authenticate(episode.patient)
    statuses = {item["slug"]: item["status"] for item in client.get(URL).json()}
    assert statuses["better-sleep"] == "not_started"


def test_a_patient_not_in_treatment_gets_an_empty_programme(service) -> None:
    client = APIClient()
    client.force_authenticate(factories.PatientFactory.create(service=service))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("persona", ["pwp", "navigator", "service_admin"])
def test_staff_get_403(request, persona) -> None:
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_the_endpoint_is_in_the_openapi_schema(client, db) -> None:
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/modules/" in schema
    assert "DeviceToken" in schema
