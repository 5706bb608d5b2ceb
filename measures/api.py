"""The questionnaire API for the mobile app (contract in PRODUCT.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import api_user
from accounts.idempotency import IDEMPOTENCY_422, IDEMPOTENCY_PARAMETER, idempotent_write
from accounts.models import User
from accounts.permissions import IsPatient
from measures.definitions import NEEDS_CLINICIAN_REVIEW
from measures.models import QuestionnaireResponse
from measures.scoring import AnswerError
from measures.selectors import questionnaire_responses_for_patient, questionnaires_due_for_patient
from measures.services import (
    TreatmentEnded,
    UnknownInstrument,
    patient_instrument,
    questionnaire_response_record,
)
from safety.api_schema import CrisisSignpostingSerializer
from safety.signposting import crisis_signposting


def response_data(response: QuestionnaireResponse) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": response.pk,
        "code": response.instrument_code,
        "version": response.instrument_version,
        "total": response.total,
        "severity": response.severity or None,
        "flags": list(response.flags),
        "submitted_at": response.submitted_at.isoformat(),
    }
    if NEEDS_CLINICIAN_REVIEW in response.flags:
        data["signposting"] = crisis_signposting()
    return data


# These serializers describe the API in the OpenAPI schema. Input is checked by the scoring
# code itself, which (unlike DRF's IntegerField) refuses "2", 2.0 and true as answers.
class QuestionnaireResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.CharField()
    total = serializers.IntegerField()
    severity = serializers.CharField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())
    submitted_at = serializers.DateTimeField()
    signposting = CrisisSignpostingSerializer(
        required=False, help_text="Present when the answers raised a risk flag."
    )


# One answer per question: PHQ-9 has 9 (each 0-3), GAD-7 has 7 (0-3), WSAS has 5 (0-8), the
# phobia scales 3 (0-8).
ANSWER_COUNTS = {"phq9": 9, "gad7": 7, "wsas": 5, "phobia": 3}


class QuestionnaireAnswersSerializer(serializers.Serializer):
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=8, allow_null=True),
        min_length=min(ANSWER_COUNTS.values()),
        max_length=max(ANSWER_COUNTS.values()),
        help_text=(
            "One whole number per question, in order: 9 answers of 0-3 for phq9, 7 of 0-3 for "
            "gad7, 5 of 0-8 for wsas (the first, work, may be null: not applicable for someone "
            "retired or not in work), 3 of 0-8 for phobia. A wrong count or an answer out of "
            "range gets 400 and nothing is stored."
        ),
    )


class QuestionnaireErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AnswersErrorSerializer(serializers.Serializer):
    answers = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False, help_text="When the body is not JSON.")


CODE_PARAMETER = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(ANSWER_COUNTS),
    description="The questionnaire: phq9, gad7, wsas or phobia. Any other code gets 404.",
)
ERROR_RESPONSES = {
    401: OpenApiResponse(
        QuestionnaireErrorSerializer, description="No token, or it expired: sign in again."
    ),
    403: OpenApiResponse(
        QuestionnaireErrorSerializer, description="Only patients answer questionnaires."
    ),
}


class OptionSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    # DRF's metaclass moves declared fields out of the class, so this does not clash with
    # Field.label; mypy cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]


class DueQuestionnaireSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField()
    name = serializers.CharField()
    stem = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    options = OptionSerializer(many=True)
    validated = serializers.BooleanField()
    session_number = serializers.IntegerField()
    session_at = serializers.DateTimeField()


@extend_schema(
    responses={200: DueQuestionnaireSerializer(many=True), **ERROR_RESPONSES},
    summary="Questionnaires due for me",
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, IsPatient])
def questionnaires_due(request: Request) -> Response:
    user = api_user(request)
    return Response(
        [
            {
                "code": due.instrument.code,
                "version": due.instrument.version,
                "name": due.instrument.name,
                "stem": due.instrument.stem,
                "items": list(due.instrument.items),
                "options": [
                    {"value": option.value, "label": option.label}
                    for option in due.instrument.options
                ],
                "validated": due.instrument.validated,
                "session_number": due.session_number,
                "session_at": due.session_at.isoformat(),
            }
            for due in questionnaires_due_for_patient(patient=user)
        ]
    )


@extend_schema(
    methods=["GET"],
    parameters=[CODE_PARAMETER],
    responses={
        200: QuestionnaireResponseSerializer(many=True),
        **ERROR_RESPONSES,
        404: OpenApiResponse(
            QuestionnaireErrorSerializer, description="No questionnaire with that code."
        ),
    },
    summary="My responses",
)
@extend_schema(
    methods=["POST"],
    parameters=[CODE_PARAMETER, IDEMPOTENCY_PARAMETER],
    description=(
        "Stores one response and answers 201 with its scores. PHQ-9 question 9 above 0 raises a "
        "risk flag for clinician review in the same transaction, and the answer carries crisis "
        "signposting. Send an `Idempotency-Key` so that a retry after a lost connection stores "
        "nothing twice (one response, one flag, one alert)."
    ),
    request=QuestionnaireAnswersSerializer,
    responses={
        201: QuestionnaireResponseSerializer,
        400: OpenApiResponse(
            AnswersErrorSerializer,
            description="Malformed JSON, a wrong number of answers or one out of range, or a "
            "malformed Idempotency-Key (a message under that name); nothing was stored.",
        ),
        **ERROR_RESPONSES,
        404: OpenApiResponse(
            QuestionnaireErrorSerializer, description="No questionnaire with that code."
        ),
        409: OpenApiResponse(
            QuestionnaireErrorSerializer,
            description="The patient's course of treatment has ended; nothing was stored.",
        ),
        413: OpenApiResponse(
            QuestionnaireErrorSerializer, description="The request body is too large."
        ),
        422: IDEMPOTENCY_422,
    },
    summary="Answer a questionnaire",
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated, IsPatient])
def questionnaire_responses(request: Request, code: str) -> Response:
    user = api_user(request)
    try:
        patient_instrument(code)
    except UnknownInstrument as error:
        raise NotFound("No questionnaire with that code.") from error
    if request.method == "GET":
        return Response(
            [
                response_data(response)
                for response in questionnaire_responses_for_patient(
                    patient=user, instrument_code=code
                )
            ]
        )
    return idempotent_write(
        request, user=user, write=lambda: _response_record(request, user=user, code=code)
    )


def _response_record(request: Request, *, user: User, code: str) -> Response:
    payload = request.data
    if not isinstance(payload, dict) or "answers" not in payload:
        return Response(
            {"answers": ['Send {"answers": [...]} with one whole number per question.']},
            status=status.HTTP_400_BAD_REQUEST,
        )
    try:
        response = questionnaire_response_record(
            patient=user, instrument_code=code, answers=payload["answers"]
        )
    except AnswerError as error:
        return Response({"answers": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
    except TreatmentEnded as error:
        return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
    return Response(response_data(response), status=status.HTTP_201_CREATED)
