"""FHIR R4 resources built from bcbt's records with ``fhir.resources``.

We use ``fhir.resources.R4B``: the package's default is R5, and R4B is wire-compatible with R4 for
every resource built here (Bundle, Questionnaire, QuestionnaireResponse, Observation, Patient),
which is the version NHS records systems take. Every resource is constructed through its model,
so a missing field or a wrong type fails here, never in the receiving system.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from fhir.resources.R4B.resource import Resource

from accounts.models import User
from accounts.nhs_number import NHS_NUMBER_SYSTEM
from measures.definitions import TEXT_SHIPPED, Coding, Instrument, instrument_definition
from measures.models import QuestionnaireResponse

FHIR_CONTENT_TYPE = "application/fhir+json"
LOCAL_SYSTEMS = "https://bcbt.example.org/fhir/CodeSystem"
SEVERITY_SYSTEM = f"{LOCAL_SYSTEMS}/severity-bands"
SURVEY_CATEGORY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}


def fhir_base_url() -> str:
    return f"{settings.BCBT_BASE_URL.rstrip('/')}/api/v1/fhir"


def questionnaire_url(code: str) -> str:
    return f"{fhir_base_url()}/Questionnaire/{code}"


def answer_system(code: str) -> str:
    return f"{LOCAL_SYSTEMS}/answers/{code}"


def may_show_item_text(instrument: Instrument) -> bool:
    """Item wording leaves bcbt only when its licence lets anyone reproduce it (the wording bcbt
    ships). Wording a service loaded under its own licence (WSAS, WAI-SR) stays inside bcbt."""
    return instrument.text_source == TEXT_SHIPPED


def _coding(coding: Coding) -> dict[str, str]:
    return {"system": coding.system, "code": coding.code, "display": coding.display}


def questionnaire_build(instrument: Instrument) -> Questionnaire:
    """The Questionnaire that QuestionnaireResponses point at, served at Questionnaire/{code}."""
    show_text = may_show_item_text(instrument)
    items: list[dict[str, Any]] = []
    for number in range(1, instrument.item_count + 1):
        item: dict[str, Any] = {
            "linkId": str(number),
            "type": "choice",
            "required": True,
            "answerOption": [
                {
                    "valueCoding": {
                        "system": answer_system(instrument.code),
                        "code": str(option.value),
                        "display": option.label,
                    }
                }
                for option in instrument.options
            ],
        }
        if show_text:
            item["text"] = instrument.items[number - 1]
        items.append(item)
    return Questionnaire.model_validate(
        {
            "resourceType": "Questionnaire",
            "id": instrument.code,
            "url": questionnaire_url(instrument.code),
            "version": instrument.version,
            "title": instrument.name,
            "status": "active",
            "subjectType": ["Patient"],
            "copyright": instrument.licence,
            "code": [_coding(instrument.codes.panel)],
            "item": items,
        }
    )


def patient_reference(patient: User) -> dict[str, Any]:
    reference: dict[str, Any] = {"reference": f"Patient/{patient.pk}"}
    if patient.nhs_number:
        reference["identifier"] = {"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}
    return reference


def patient_build(patient: User) -> Patient:
    data: dict[str, Any] = {"resourceType": "Patient", "id": str(patient.pk)}
    name: dict[str, Any] = {}
    if patient.last_name:
        name["family"] = patient.last_name
    if patient.first_name:
        name["given"] = [patient.first_name]
    if name:
        data["name"] = [name]
    if patient.nhs_number:
        data["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}]
    return Patient.model_validate(data)


def questionnaire_response_build(response: QuestionnaireResponse) -> FhirResponse:
    instrument = instrument_definition(response.instrument_code)
    show_text = may_show_item_text(instrument)
    labels = {option.value: option.label for option in instrument.options}
    items: list[dict[str, Any]] = []
    for number, value in enumerate(response.answers, start=1):
        # "Not applicable" (WSAS work, for someone not in work) is stored as null and sent as
        # words, so no score is invented for it.
        answer: dict[str, Any] = (
            {"valueString": "Not applicable"}
            if value is None
            else {
                "valueCoding": {
                    "system": answer_system(instrument.code),
                    "code": str(value),
                    "display": labels.get(value, str(value)),
                }
            }
        )
        item: dict[str, Any] = {"linkId": str(number), "answer": [answer]}
        if show_text:
            item["text"] = instrument.items[number - 1]
        items.append(item)
    return FhirResponse.model_validate(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(response.pk),
            "questionnaire": f"{questionnaire_url(instrument.code)}|{response.instrument_version}",
            "status": "completed",
            "subject": patient_reference(response.patient),
            "author": patient_reference(response.respondent),
            "authored": response.submitted_at.isoformat(),
            "item": items,
        }
    )


def observation_build(response: QuestionnaireResponse) -> Observation:
    """The total score as an Observation, with the severity band it fell in when scored."""
    instrument = instrument_definition(response.instrument_code)
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(response.pk),
        "status": "final",
        "category": [SURVEY_CATEGORY],
        "code": {
            "coding": [_coding(coding) for coding in instrument.codes.total],
            "text": f"{instrument.short_name} total score",
        },
        "subject": patient_reference(response.patient),
        "effectiveDateTime": response.submitted_at.isoformat(),
        "valueInteger": response.total,
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{response.pk}"}],
    }
    if response.severity:
        data["interpretation"] = [
            {
                "coding": [
                    {
                        "system": SEVERITY_SYSTEM,
                        "code": f"{instrument.code}-{slugify(response.severity)}",
                        "display": response.severity,
                    }
                ],
                "text": response.severity,
            }
        ]
    return Observation.model_validate(data)


def searchset_build(
    *, matches: Iterable[Resource], included: Iterable[Resource], self_url: str
) -> Bundle:
    """A search result Bundle: the matches, then the resources they refer to (mode include)."""
    base = fhir_base_url()
    match_list = list(matches)
    entries = [
        {
            "fullUrl": f"{base}/{resource.get_resource_type()}/{resource.id}",
            "resource": resource,
            "search": {"mode": mode},
        }
        for mode, resources in (("match", match_list), ("include", list(included)))
        for resource in resources
    ]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "timestamp": timezone.now().isoformat(),
            "total": len(match_list),
            "link": [{"relation": "self", "url": self_url}],
            "entry": entries,
        }
    )
