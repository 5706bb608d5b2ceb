"""FHIR R4 read API for records systems (contract in PRODUCT.md): a searchset Bundle of a
patient's questionnaire answers or total scores, and the Questionnaires they refer to."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from accounts.http import api_user
from exports.fhir import FHIR_CONTENT_TYPE, questionnaire_build
from exports.services import FhirSearchType, fhir_patient_search_export
from measures.definitions import shipped_instruments

SEARCH_PARAMETERS = [
    OpenApiParameter(
        "patient", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description="bcbt id"
    ),
    OpenApiParameter(
        "_since",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description="Only what was submitted at or after this date (YYYY-MM-DD, the service's "
        "local midnight) or date-time with an offset.",
    ),
]


def _patient_id(request: Request) -> int:
    raw = request.query_params.get("patient", "")
    if not raw.isascii() or not raw.isdigit():
        raise ValidationError({"patient": ["Give the patient's bcbt id, e.g. ?patient=42."]})
    return int(raw)


def _since(request: Request) -> datetime.datetime | None:
    raw = request.query_params.get("_since")
    if not raw:
        return None
    refusal = ValidationError(
        {"_since": ["Use a date (2026-06-01) or a date-time with an offset."]}
    )
    try:
        day = parse_date(raw) if len(raw) == len("2026-06-01") else None
        moment = None if day is not None else parse_datetime(raw)
    except ValueError as error:  # well formed but impossible, such as 2026-13-01
        raise refusal from error
    if day is None:
        if moment is None or moment.tzinfo is None:
            raise refusal
        return moment
    # A bare date means the start of that day where the service is.
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _search(request: Request, resource_type: FhirSearchType) -> HttpResponse:
    bundle = fhir_patient_search_export(
        staff=api_user(request),
        patient_id=_patient_id(request),
        resource_type=resource_type,
        since=_since(request),
        request=request,
    )
    return HttpResponse(bundle.model_dump_json(), content_type=FHIR_CONTENT_TYPE)


@extend_schema(parameters=SEARCH_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def questionnaire_response_search(request: Request) -> HttpResponse:
    """The patient's questionnaire answers, for their PWP or service admin; 404 for anyone else."""
    return _search(request, "QuestionnaireResponse")


@extend_schema(parameters=SEARCH_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def observation_search(request: Request) -> HttpResponse:
    """The patient's total scores with LOINC codes, for their PWP or service admin."""
    return _search(request, "Observation")


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def questionnaire_read(request: Request, code: str) -> HttpResponse:
    """An instrument's Questionnaire; item wording only where its licence lets it leave bcbt.
    It holds no patient data, so anyone signed in may read it."""
    instrument = shipped_instruments().get(code)
    if instrument is None:
        raise NotFound("No questionnaire with that code.")
    return HttpResponse(
        questionnaire_build(instrument).model_dump_json(), content_type=FHIR_CONTENT_TYPE
    )
