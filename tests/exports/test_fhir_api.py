"""FHIR R4 API (issue 14): searchset Bundles of a patient's answers and scores, validated with
fhir.resources, for the patient's PWP and service admin only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from rest_framework.test import APIClient

from accounts.models import User
from care.models import AuditEvent, Episode
from measures.models import QuestionnaireResponse
from tests.exports.conftest import NHS_NUMBER

LOINC = "http://loinc.org"
TOTAL_CODES = {"phq9": "44261-6", "gad7": "70274-6"}
PANEL_CODES = {"phq9": "44249-1", "gad7": "69737-5"}


def search(client: APIClient, resource_type: str, patient: User, since: str = "") -> Any:
    url = f"/api/v1/fhir/{resource_type}?patient={patient.pk}"
    if since:
        url += f"&_since={since}"
    return client.get(url)


def bundle_of(response: Any) -> Bundle:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    # Round trip: what went on the wire parses back into a valid R4 Bundle.
    bundle = Bundle.model_validate(json.loads(response.content))
    assert bundle.type == "searchset"
    return bundle


def entries(bundle: Bundle, mode: str) -> list[Any]:
    found: list[Any] = []
    for entry in bundle.entry or []:
        assert entry.search is not None
        if entry.search.mode == mode:
            found.append(entry.resource)
    return found


def matches(bundle: Bundle) -> list[Any]:
    return entries(bundle, "match")


def test_observations_carry_the_loinc_code_value_time_and_band_of_each_stored_total(
    pwp_api: APIClient, patient: User, answered: list[QuestionnaireResponse]
) -> None:
    bundle = bundle_of(search(pwp_api, "Observation", patient))
    observations = matches(bundle)
    assert bundle.total == len(answered) == len(observations)
    for stored, observation in zip(answered, observations, strict=True):
        Observation.model_validate(observation.model_dump())
        assert observation.valueInteger == stored.total
        assert observation.effectiveDateTime == stored.submitted_at
        assert observation.interpretation[0].text == stored.severity
        assert observation.derivedFrom[0].reference == f"QuestionnaireResponse/{stored.pk}"
        first = observation.code.coding[0]
        if stored.instrument_code in TOTAL_CODES:
            assert (first.system, first.code) == (LOINC, TOTAL_CODES[stored.instrument_code])
        else:
            assert first.system == "https://bcbt.example.org/fhir/CodeSystem/measures"
        assert observation.subject.identifier.value == NHS_NUMBER


def test_questionnaire_responses_hold_the_stored_answers_and_point_at_their_questionnaire(
    service_admin_api: APIClient, patient: User, answered: list[QuestionnaireResponse]
) -> None:
    bundle = bundle_of(search(service_admin_api, "QuestionnaireResponse", patient))
    responses = matches(bundle)
    assert len(responses) == len(answered)
    for stored, resource in zip(answered, responses, strict=True):
        FhirResponse.model_validate(resource.model_dump())
        assert resource.questionnaire.startswith(
            f"https://testserver/api/v1/fhir/Questionnaire/{stored.instrument_code}|"
        )
        assert [int(item.answer[0].valueCoding.code) for item in resource.item] == stored.answers
        has_text = all(item.text for item in resource.item)
        assert has_text == (stored.instrument_code in ("phq9", "gad7"))


def test_the_bundle_includes_the_patient_with_their_nhs_number(
    pwp_api: APIClient, patient: User, answered: list[QuestionnaireResponse]
) -> None:
    bundle = bundle_of(search(pwp_api, "Observation", patient))
    included = entries(bundle, "include")
    assert len(included) == 1
    resource: Any = Patient.model_validate(included[0].model_dump())
    assert resource.id == str(patient.pk)
    assert [(i.system, i.value) for i in resource.identifier] == [
        ("https://fhir.nhs.uk/Id/nhs-number", NHS_NUMBER)
    ]


def test_since_keeps_only_what_was_submitted_from_that_date(
    pwp_api: APIClient, patient: User, answered: list[QuestionnaireResponse]
) -> None:
    today = patient.local_today().isoformat()
    bundle = bundle_of(search(pwp_api, "Observation", patient, since=today))
    assert [o.id for o in matches(bundle)] == [str(r.pk) for r in answered[3:]]


@pytest.mark.parametrize("since", ["last-week", "2026-13-01", "2026-06-01T10:00:00"])
def test_a_since_that_is_not_a_date_is_refused_with_a_message(
    since: str, pwp_api: APIClient, patient: User, episode: Episode
) -> None:
    response = search(pwp_api, "Observation", patient, since=since)
    assert response.status_code == 400
    assert "date" in response.json()["_since"][0]


def test_every_export_is_audited_with_who_what_and_for_whom(
    pwp_api: APIClient, pwp: User, patient: User, answered: list[QuestionnaireResponse]
) -> None:
    bundle_of(search(pwp_api, "QuestionnaireResponse", patient))
    event = AuditEvent.objects.get(action="export.fhir")
    assert (event.actor, event.patient) == (pwp, patient)
    assert event.detail["resource_type"] == "QuestionnaireResponse"
    assert event.detail["count"] == len(answered)


@pytest.mark.parametrize("resource_type", ["QuestionnaireResponse", "Observation"])
@pytest.mark.parametrize("caller", ["other_pwp_api", "navigator_api", "patient_api"])
def test_anyone_but_the_patients_pwp_and_service_admin_gets_404(
    request: pytest.FixtureRequest,
    caller: str,
    resource_type: str,
    patient: User,
    answered: list[QuestionnaireResponse],
) -> None:
    client: APIClient = request.getfixturevalue(caller)
    response = search(client, resource_type, patient)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export.fhir").exists()


def test_a_patient_who_does_not_exist_gets_the_same_404(pwp_api: APIClient) -> None:
    response = pwp_api.get("/api/v1/fhir/Observation?patient=999999")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/fhir/Observation?patient=1",
        "/api/v1/fhir/QuestionnaireResponse?patient=1",
        "/api/v1/fhir/Questionnaire/phq9",
    ],
)
def test_anonymous_gets_401(url: str, db: None) -> None:
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("code", ["phq9", "gad7"])
def test_free_questionnaires_are_served_with_their_item_text_and_panel_code(
    pwp_api: APIClient, code: str
) -> None:
    response = pwp_api.get(f"/api/v1/fhir/Questionnaire/{code}")
    assert response["Content-Type"] == "application/fhir+json"
    questionnaire: Any = Questionnaire.model_validate(json.loads(response.content))
    assert (questionnaire.code[0].system, questionnaire.code[0].code) == (LOINC, PANEL_CODES[code])
    assert all(item.text for item in questionnaire.item)


@pytest.mark.parametrize("code", ["wsas", "wai-sr"])
def test_licensed_questionnaires_are_served_without_item_text(
    pwp_api: APIClient, code: str
) -> None:
    response = pwp_api.get(f"/api/v1/fhir/Questionnaire/{code}")
    questionnaire: Any = Questionnaire.model_validate(json.loads(response.content))
    assert questionnaire.item
    assert not any(item.text for item in questionnaire.item)


def test_an_unknown_questionnaire_gets_404(pwp_api: APIClient) -> None:
    assert pwp_api.get("/api/v1/fhir/Questionnaire/nope").status_code == 404


def test_the_bundle_takes_the_same_number_of_queries_however_many_answers(
    pwp_api: APIClient,
    patient: User,
    answered: list[QuestionnaireResponse],
    django_assert_max_num_queries: Any,
) -> None:
    # Token lookup, scoping, the answers with their people, the audit event: none per answer.
    with django_assert_max_num_queries(8):
        bundle_of(search(pwp_api, "QuestionnaireResponse", patient))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/fhir/QuestionnaireResponse",
        "/api/v1/fhir/Observation",
        "/api/v1/fhir/Questionnaire/phq9",
    ],
)
def test_the_fhir_api_only_reads(
    pwp_api: APIClient, patient: User, answered: list[QuestionnaireResponse], method: str, path: str
) -> None:
    # Nothing can be sent in through the export: it is a read-only door, scoped and audited.
    response = getattr(pwp_api, method)(f"{path}?patient={patient.pk}", {}, format="json")
    assert response.status_code == 405
    assert QuestionnaireResponse.objects.filter(patient=patient).count() == len(answered)
    assert not AuditEvent.objects.filter(action="export.fhir").exists()
