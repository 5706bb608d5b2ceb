"""Exports that leave bcbt: each one scoped to what the caller may see, and audited."""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest
from fhir.resources.R4B.bundle import Bundle

from accounts.models import User
from care.selectors import patient_get_for_staff
from care.services import audit_event_record
from exports.fhir import (
    fhir_base_url,
    observation_build,
    patient_build,
    questionnaire_response_build,
    searchset_build,
)
from measures.selectors import questionnaire_responses_for_patient

FhirSearchType = Literal["QuestionnaireResponse", "Observation"]


def fhir_patient_search_export(
    *,
    staff: User,
    patient_id: int,
    resource_type: FhirSearchType,
    since: datetime.datetime | None,
    request: HttpRequest | None = None,
) -> Bundle:
    """A searchset Bundle of one patient's questionnaire answers or total scores, with the
    Patient included, for the patient's PWP or their service admin.

    Anyone else, and a patient that does not exist, gets the same 404 (from the care selector).
    The export is audited with counts and ids only, never the scores.
    """
    patient = patient_get_for_staff(staff=staff, patient_id=patient_id)
    responses = list(
        questionnaire_responses_for_patient(patient=patient, since=since)
        .select_related("patient", "respondent")
        .order_by("submitted_at", "id")
    )
    build = (
        questionnaire_response_build
        if resource_type == "QuestionnaireResponse"
        else observation_build
    )
    matches = [build(response) for response in responses]
    self_url = f"{fhir_base_url()}/{resource_type}?patient={patient.pk}"
    if since is not None:
        self_url += f"&_since={since.isoformat()}"
    bundle = searchset_build(matches=matches, included=[patient_build(patient)], self_url=self_url)
    audit_event_record(
        actor=staff,
        action="export.fhir",
        patient=patient,
        request=request,
        detail={
            "resource_type": resource_type,
            "count": len(matches),
            "since": since.isoformat() if since is not None else None,
        },
    )
    return bundle
