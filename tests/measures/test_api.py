"""The questionnaire API contract in PRODUCT.md, with every denial path."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.tokens import device_token_issue
from measures.models import QuestionnaireResponse
from notifications.models import Notification
from safety.models import RiskFlag
from tests.measures.conftest import reschedule

URL = "/api/v1/questionnaires/{code}/responses/"


@pytest.fixture
def api(patient, episode) -> APIClient:
    client = APIClient()
    _, token = device_token_issue(user=patient, device_name="test phone")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_posting_phq9_answers_returns_the_score(api) -> None:
    response = api.post(
        URL.format(code="phq9"), {"answers": [2, 2, 2, 1, 1, 1, 1, 1, 0]}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"id", "code", "total", "severity", "flags"}
    assert (body["code"], body["total"], body["severity"], body["flags"]) == (
        "phq9",
        11,
        "Moderate",
        [],
    )
    assert "signposting" not in body
    assert QuestionnaireResponse.objects.get(pk=body["id"]).answers == [2, 2, 2, 1, 1, 1, 1, 1, 0]


def test_question_nine_answer_carries_crisis_signposting(api, pwp) -> None:
    response = api.post(URL.format(code="phq9"), {"answers": [0] * 8 + [1]}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["flags"] == ["needs_clinician_review"]
    signposting = body["signposting"]
    assert signposting["monitored_in_real_time"] is False
    phones = {contact["name"]: contact["phone"] for contact in signposting["contacts"]}
    assert phones["Samaritans"] == "116 123"
    assert phones["NHS 111"] == "111"
    assert phones["Emergency services"] == "999"
    assert "A&E" in " ".join(contact["detail"] for contact in signposting["contacts"])
    assert "not monitored in real time" in signposting["not_monitored"]
    assert RiskFlag.objects.get().pwp == pwp


@pytest.mark.parametrize(
    ("code", "answers", "total", "severity"),
    [
        ("gad7", [3, 3, 3, 3, 2, 1, 0], 15, "Severe"),
        ("wsas", [2, 2, 2, 2, 2], 10, "Significant functional impairment"),
    ],
)
def test_gad7_and_wsas_are_scored(api, code, answers, total, severity) -> None:
    body = api.post(URL.format(code=code), {"answers": answers}, format="json").json()
    assert (body["total"], body["severity"]) == (total, severity)


@pytest.mark.parametrize(
    "payload",
    [
        {"answers": [0] * 8},
        {"answers": [0] * 10},
        {"answers": [0] * 8 + [4]},
        {"answers": [0] * 8 + [-1]},
        {"answers": [0] * 8 + ["1"]},
        {"answers": [0] * 8 + [1.5]},
        {"answers": [0] * 8 + [True]},
        {"answers": [0] * 8 + [None]},
        {"answers": "0,0,0,0,0,0,0,0,0"},
        {"answers": None},
        {},
        [0] * 9,
    ],
)
def test_bad_answers_are_400_and_nothing_is_stored(api, payload) -> None:
    response = api.post(URL.format(code="phq9"), payload, format="json")
    assert response.status_code == 400
    assert "answers" in response.json()
    assert not QuestionnaireResponse.objects.exists()
    assert not RiskFlag.objects.exists()
    assert not Notification.objects.exists()


def test_a_flagged_but_malformed_answer_stores_nothing(api) -> None:
    response = api.post(URL.format(code="phq9"), {"answers": [0] * 8 + [3, 3]}, format="json")
    assert response.status_code == 400
    assert not RiskFlag.objects.exists()


def test_wsas_out_of_range_is_400(api) -> None:
    assert (
        api.post(URL.format(code="wsas"), {"answers": [9, 0, 0, 0, 0]}, format="json").status_code
        == 400
    )


def test_unknown_code_is_404(api) -> None:
    assert api.post(URL.format(code="bdi"), {"answers": [0]}, format="json").status_code == 404
    # The PWP's alliance rating is not something a patient sends.
    assert (
        api.post(
            URL.format(code="alliance-check-pwp"), {"answers": [3] * 4}, format="json"
        ).status_code
        == 404
    )


def test_get_lists_only_my_responses_to_that_questionnaire(
    api, other_patient, other_episode
) -> None:
    api.post(URL.format(code="phq9"), {"answers": [1] * 9}, format="json")
    api.post(URL.format(code="gad7"), {"answers": [1] * 7}, format="json")
    other = APIClient()
    other.force_authenticate(other_patient)
    other.post(URL.format(code="phq9"), {"answers": [0] * 9}, format="json")
    listed = api.get(URL.format(code="phq9")).json()
    assert [(row["code"], row["total"]) for row in listed] == [("phq9", 9)]
    assert other.get(URL.format(code="phq9")).json()[0]["total"] == 0


def test_anonymous_gets_401() -> None:
    client = APIClient()
    assert client.get("/api/v1/questionnaires/").status_code == 401
    assert client.get(URL.format(code="phq9")).status_code == 401
    assert (
        client.post(URL.format(code="phq9"), {"answers": [0] * 9}, format="json").status_code == 401
    )


@pytest.mark.parametrize("persona", ["pwp", "navigator", "service_admin"])
def test_staff_cannot_answer_or_read_patient_questionnaires(request, persona, episode) -> None:
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(persona))
    assert client.get("/api/v1/questionnaires/").status_code == 403
    assert client.get(URL.format(code="phq9")).status_code == 403
    assert (
        client.post(URL.format(code="phq9"), {"answers": [0] * 9}, format="json").status_code == 403
    )


def test_due_list_names_phq9_and_gad7_before_the_next_session(api, episode) -> None:
    reschedule(episode, next_number=2)
    due = api.get("/api/v1/questionnaires/").json()
    assert [item["code"] for item in due] == ["phq9", "gad7"]
    phq9 = due[0]
    assert phq9["session_number"] == 2
    assert len(phq9["items"]) == 9
    assert phq9["options"][3] == {"value": 3, "label": "Nearly every day"}
    api.post(URL.format(code="phq9"), {"answers": [0] * 9}, format="json")
    assert [item["code"] for item in api.get("/api/v1/questionnaires/").json()] == ["gad7"]


def test_due_list_adds_the_alliance_before_session_three(api, episode) -> None:
    reschedule(episode, next_number=3)
    codes = [item["code"] for item in api.get("/api/v1/questionnaires/").json()]
    assert codes == ["phq9", "gad7", "alliance-check"]


def test_wai_sr_is_due_only_once_its_wording_is_loaded(api, episode, wai_sr_file) -> None:
    from measures.models import MeasuresConfiguration

    MeasuresConfiguration.objects.create(service=episode.service, alliance_instrument="wai-sr")
    reschedule(episode, next_number=3)
    assert "wai-sr" not in [item["code"] for item in api.get("/api/v1/questionnaires/").json()]
    call_command("load_licensed_instrument", "wai-sr", str(wai_sr_file))
    due = {item["code"]: item for item in api.get("/api/v1/questionnaires/").json()}
    assert due["wai-sr"]["items"][0] == "Test item 1"
    assert due["wai-sr"]["options"][0] == {"value": 1, "label": "Seldom-ish"}


def test_schema_describes_the_questionnaire_endpoints(client) -> None:
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/questionnaires/{code}/responses/" in schema
    assert "signposting" in schema
