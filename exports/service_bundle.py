"""A whole service's questionnaire answers and scores as one FHIR Bundle, written as a stream.

The Bundle for 10,000 episodes does not fit comfortably in memory as one model, so it is written
entry by entry: the envelope is a validated ``Bundle`` without entries, and each entry is a
validated ``BundleEntry`` serialised on its own, so the file is exactly what one Bundle model would
give, while memory holds one chunk of rows at a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TextIO

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.resource import Resource

from care.models import Service
from care.services import audit_event_record
from exports.fhir import (
    fhir_base_url,
    observation_build,
    patient_build,
    questionnaire_response_build,
)
from measures.selectors import questionnaire_responses_for_service

CHUNK_SIZE = 1000


def _entry_json(resource: Resource, mode: str) -> str:
    entry = BundleEntry.model_validate(
        {
            "fullUrl": f"{fhir_base_url()}/{resource.get_resource_type()}/{resource.id}",
            "resource": resource,
            "search": {"mode": mode},
        }
    )
    return entry.model_dump_json()


def _entries(*, service: Service, since: datetime.datetime | None) -> Iterator[str]:
    seen_patients: set[int] = set()
    responses = questionnaire_responses_for_service(service=service, since=since)
    for response in responses.iterator(chunk_size=CHUNK_SIZE):
        yield _entry_json(questionnaire_response_build(response), "match")
        yield _entry_json(observation_build(response), "match")
        # Each patient once, when first met: the set holds ids only.
        if response.patient_id not in seen_patients:
            seen_patients.add(response.patient_id)
            yield _entry_json(patient_build(response.patient), "include")


def service_bundle_write(*, service: Service, since: datetime.datetime | None, out: TextIO) -> int:
    """Write the service's searchset Bundle to ``out`` and audit it; returns the number of
    questionnaire responses exported (each is a QuestionnaireResponse and an Observation)."""
    count = questionnaire_responses_for_service(service=service, since=since).count()
    envelope = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "timestamp": timezone.now().isoformat(),
            "total": count * 2,
        }
    ).model_dump_json()
    # The envelope ends with "}": open the entry list inside it.
    out.write(envelope[:-1] + ',"entry":[')
    for number, entry in enumerate(_entries(service=service, since=since)):
        out.write(("," if number else "") + entry)
    out.write("]}")
    audit_event_record(
        actor=None,
        action="export.fhir.service",
        target=service,
        detail={
            "questionnaire_responses": count,
            "since": since.isoformat() if since is not None else None,
        },
    )
    return count
