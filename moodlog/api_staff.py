"""The PWP's side of the mood API: their caseload, and one patient's ratings for that patient's
own PWP only. Every read is audited (counts only, never scores or notes)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import api_user
from accounts.permissions import IsPwp
from care.selectors import caseload_for_staff
from care.services import audit_event_record
from moodlog.api import (
    ERROR_401,
    ERROR_403,
    ERROR_404,
    RANGE_400,
    RANGE_PARAMETERS,
    range_from_query,
)
from moodlog.selectors import mood_patient_get_for_pwp, mood_rating_values_for_patient
from moodlog.serializers import MoodRatingSerializer, PatientSummarySerializer, rating_bodies

_PATIENT_ID = re.compile(r"[1-9][0-9]{0,17}")


@extend_schema(
    operation_id="patients_list",
    summary="My caseload (PWPs)",
    description="The signed-in PWP's patients in active treatment, soonest session first.",
    responses={
        200: OpenApiResponse(
            PatientSummarySerializer(many=True),
            examples=[
                OpenApiExample(
                    "Caseload",
                    value=[
                        {"id": 42, "name": "Sam Taylor", "next_appointment": "2026-03-04T10:00:00Z"}
                    ],
                )
            ],
        ),
        401: ERROR_401,
        403: ERROR_403,
    },
    tags=["patients"],
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, IsPwp])
def patients_list(request: Request) -> Response:
    pwp = api_user(request)
    episodes = list(caseload_for_staff(staff=pwp))
    audit_event_record(
        actor=pwp,
        action="caseload.read",
        request=request._request,
        detail={"via": "api", "count": len(episodes)},
    )
    return Response(PatientSummarySerializer(episodes, many=True).data)


@extend_schema(
    operation_id="patient_mood_list",
    summary="A patient's mood ratings (their PWP only)",
    description=(
        "For the PWP of the patient's active episode. Anyone else gets 404, as for a patient "
        "who does not exist. Every read is recorded in the audit trail."
    ),
    parameters=[
        OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Patient id."),
        *RANGE_PARAMETERS,
    ],
    responses={
        200: MoodRatingSerializer(many=True),
        400: RANGE_400,
        401: ERROR_401,
        404: ERROR_404,
    },
    tags=["patients"],
)
@api_view(["GET"])
def patient_mood(request: Request, id: str) -> Response:
    # ``id`` is the path parameter's name in the contract: /api/v1/patients/{id}/mood/.
    # The path takes any text so that a malformed id gets the API's JSON 404, not an HTML page.
    if not _PATIENT_ID.fullmatch(id):
        raise Http404("No such patient.")
    staff = api_user(request)
    patient = mood_patient_get_for_pwp(staff=staff, patient_id=int(id))
    try:
        date_from, date_to = range_from_query(request)
    except ValidationError as error:
        return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
    ratings = mood_rating_values_for_patient(patient=patient, date_from=date_from, date_to=date_to)
    audit_event_record(
        actor=staff,
        action="mood.read",
        patient=patient,
        request=request._request,
        detail={"via": "api", "count": len(ratings)},
    )
    return Response(rating_bodies(ratings))
