"""The patient's modules in the app, page by page: ``/api/v1/modules/{slug}/`` and below.

The same selectors and services as the web pages (modules.views): a module must be open to be
read, pages are read in order, and an exercise's final answers go through
``exercise_answers_save``, which reads every text answer for safety phrases in the same
transaction. Page content is the web page's sanitised HTML (``markdown_render``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_responses import (
    ERROR_401,
    ERROR_403,
    ERROR_404,
    FIELD_ERRORS_400,
    ApiErrorSerializer,
)
from accounts.http import api_user
from accounts.idempotency import (
    IDEMPOTENCY_400,
    IDEMPOTENCY_422,
    IDEMPOTENCY_PARAMETER,
    idempotent_write,
)
from accounts.permissions import IsPatient
from modules.models import Assignment, ExerciseResponse, ModuleVersion
from modules.rendering import markdown_render
from modules.selectors import (
    ProgrammeItem,
    exercise_definition,
    exercise_response_for_patient,
    exercise_responses_for_assignment,
    programme_item_for_patient,
)
from modules.services import (
    ExerciseAnswersInvalid,
    ProgrammeRuleError,
    assignment_start,
    assignment_step_complete,
    exercise_answers_save,
)
from safety.api_schema import CrisisSignpostingSerializer
from safety.phrases import phrase_match
from safety.signposting import crisis_signposting

READ_IN_ORDER_MESSAGE = "Please read the pages before this one first: they are read in order."


class ModulePageSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField(help_text="The step number, from 1.")
    title = serializers.CharField()
    body_html = serializers.CharField(
        help_text="The page as sanitised HTML (p, h2-h4, lists, strong, em, links, quotes)."
    )
    done = serializers.BooleanField(help_text="The patient has moved past this page.")


class ExerciseSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    number = serializers.IntegerField(help_text="The step number: after the pages.")
    title = serializers.CharField()
    intro = serializers.CharField(allow_blank=True)
    questions = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "The questions, as the module defines them: name, type (text, textarea, choice, "
            "multichoice, scale, number, time), label, hint, required, and options or min/max."
        ),
    )
    answers = serializers.DictField(
        allow_null=True, help_text="My saved answers by field name, or null."
    )
    completed_at = serializers.DateTimeField(allow_null=True)


class ModuleDetailSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    title = serializers.CharField()
    mandatory = serializers.BooleanField()
    status = serializers.ChoiceField(
        choices=["locked", "not_started", "in_progress", "completed", "waived"]
    )
    progress = serializers.IntegerField(min_value=0, max_value=100)
    locked_reason = serializers.CharField(allow_blank=True)
    estimated_minutes = serializers.IntegerField()
    steps_done = serializers.IntegerField()
    step_count = serializers.IntegerField()
    pages = ModulePageSerializer(many=True, help_text="Empty while the module is locked.")
    exercises = ExerciseSerializer(many=True, help_text="Empty while the module is locked.")


class ExerciseAnswersRequestSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(
        help_text=(
            "Answers by question name: text for text, textarea, choice and time fields, a list "
            "of option values for multichoice, a whole number for scale and number fields. "
            "Every required field must be answered."
        )
    )


class ExerciseAnswersSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    answers = serializers.DictField()
    completed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    signposting = CrisisSignpostingSerializer(
        required=False,
        help_text="Present when the words written suggest the person may be at risk.",
    )


SLUG_PARAMETER = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The module, from my programme."
)
KEY_PARAMETER = OpenApiParameter(
    "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="The exercise's key."
)
NUMBER_PARAMETER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The page's step number."
)
LOCKED_409 = OpenApiResponse(
    ApiErrorSerializer,
    description="The module is not open yet (`module_locked`: `detail` says why) or the pages "
    "before this step have not been read (`read_in_order`).",
)


def _version(item: ProgrammeItem) -> ModuleVersion:
    return item.assignment.version or item.version


def module_body(item: ProgrammeItem) -> dict[str, Any]:
    assignment = item.assignment
    version = _version(item)
    body: dict[str, Any] = {
        "slug": item.slug,
        "title": item.title,
        "mandatory": item.mandatory,
        "status": item.status,
        "progress": item.progress,
        "locked_reason": item.locked_reason,
        "estimated_minutes": version.estimated_minutes,
        "steps_done": assignment.steps_done,
        "step_count": version.step_count,
        "pages": [],
        "exercises": [],
    }
    if not item.is_open:
        return body
    body["pages"] = [
        {
            "number": number,
            "title": page["title"],
            "body_html": str(markdown_render(page["body"])),
            "done": assignment.steps_done >= number,
        }
        for number, page in enumerate(version.pages, start=1)
    ]
    responses = (
        exercise_responses_for_assignment(assignment=assignment)
        if assignment.started_at is not None
        else {}
    )
    for index, exercise in enumerate(version.exercises, start=1):
        response = responses.get(exercise["key"])
        body["exercises"].append(
            {
                "key": exercise["key"],
                "number": len(version.pages) + index,
                "title": exercise["title"],
                "intro": exercise.get("intro", ""),
                "questions": exercise["fields"],
                "answers": response.answers if response is not None else None,
                "completed_at": response.completed_at if response is not None else None,
            }
        )
    return body


def _locked(item: ProgrammeItem) -> Response:
    return Response(
        {"detail": item.locked_reason, "code": "module_locked"}, status=status.HTTP_409_CONFLICT
    )


def _out_of_order() -> Response:
    return Response(
        {"detail": READ_IN_ORDER_MESSAGE, "code": "read_in_order"},
        status=status.HTTP_409_CONFLICT,
    )


def _started(item: ProgrammeItem) -> Assignment:
    """The assignment, started (as the web's Start button does) if it was not yet."""
    return assignment_start(assignment=item.assignment)


@extend_schema(
    operation_id="module_detail",
    summary="One module of my programme, with its pages and exercises",
    parameters=[SLUG_PARAMETER],
    responses={
        200: ModuleDetailSerializer,
        401: ERROR_401,
        403: ERROR_403,
        404: ERROR_404,
    },
    tags=["modules"],
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, IsPatient])
def module_detail(request: Request, slug: str) -> Response:
    _programme, item = programme_item_for_patient(patient=api_user(request), slug=slug)
    return Response(ModuleDetailSerializer(module_body(item)).data)


@extend_schema(
    operation_id="module_page_done",
    summary="I have read this page",
    description=(
        "Marks the page read (as Next does on the web), starting the module if it was not "
        "started, and answers with the module. Pages are read in order."
    ),
    parameters=[SLUG_PARAMETER, NUMBER_PARAMETER, IDEMPOTENCY_PARAMETER],
    request=None,
    responses={
        200: ModuleDetailSerializer,
        400: IDEMPOTENCY_400,
        401: ERROR_401,
        403: ERROR_403,
        404: ERROR_404,
        409: LOCKED_409,
        422: IDEMPOTENCY_422,
    },
    tags=["modules"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
def module_page_done(request: Request, slug: str, number: str) -> Response:
    user = api_user(request)
    if not number.isascii() or not number.isdigit():
        raise NotFound("No such page.")
    page = int(number)

    def write() -> Response:
        _programme, item = programme_item_for_patient(patient=user, slug=slug)
        if not item.is_open:
            return _locked(item)
        if not 1 <= page <= len(_version(item).pages):
            raise NotFound("No such page.")
        assignment = _started(item)
        if page > assignment.steps_done + 1:
            return _out_of_order()
        assignment_step_complete(assignment=assignment, step=page)
        _programme, item = programme_item_for_patient(patient=user, slug=slug)
        return Response(ModuleDetailSerializer(module_body(item)).data)

    return idempotent_write(request, user=user, write=write)


def answers_body(response: ExerciseResponse) -> dict[str, Any]:
    return {
        "key": response.exercise_key,
        "answers": response.answers,
        "completed_at": response.completed_at,
        "updated_at": response.updated_at,
    }


@extend_schema(
    methods=["GET"],
    operation_id="exercise_answers_get",
    summary="My answers to an exercise",
    parameters=[SLUG_PARAMETER, KEY_PARAMETER],
    responses={
        200: ExerciseAnswersSerializer,
        401: ERROR_401,
        403: ERROR_403,
        404: OpenApiResponse(ApiErrorSerializer, description="No such exercise, or no answers."),
    },
    tags=["modules"],
)
@extend_schema(
    methods=["POST"],
    operation_id="exercise_answers_submit",
    summary="Save and finish an exercise",
    description=(
        "Stores the final answers, checked against the exercise's questions as on the web "
        "('Save and finish'): every required question must be answered, and nothing is stored "
        "when an answer is wrong (400, a message per field). Words that suggest the person "
        "may be at risk raise a flag for their therapist, and the answer carries crisis "
        "signposting. A finished exercise can be sent again to change the answers."
    ),
    parameters=[SLUG_PARAMETER, KEY_PARAMETER, IDEMPOTENCY_PARAMETER],
    request=ExerciseAnswersRequestSerializer,
    responses={
        200: ExerciseAnswersSerializer,
        400: FIELD_ERRORS_400,
        401: ERROR_401,
        403: ERROR_403,
        404: ERROR_404,
        409: LOCKED_409,
        422: IDEMPOTENCY_422,
    },
    examples=[
        OpenApiExample(
            "Answers",
            value={"answers": {"day": "today", "morning_activity": "Walked to the shop"}},
            request_only=True,
        ),
        OpenApiExample(
            "Missing answer",
            value={"morning_activity": ["Please answer this."]},
            response_only=True,
            status_codes=["400"],
        ),
    ],
    tags=["modules"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
def exercise_answers(request: Request, slug: str, key: str) -> Response:
    user = api_user(request)
    _programme, item = programme_item_for_patient(patient=user, slug=slug)
    if not item.is_open or exercise_definition(version=_version(item), key=key) is None:
        raise NotFound("No such exercise.")
    if request.method == "GET":
        response = exercise_response_for_patient(assignment=item.assignment, exercise_key=key)
        if response is None:
            raise NotFound("No answers to this exercise yet.")
        return Response(ExerciseAnswersSerializer(answers_body(response)).data)
    return idempotent_write(
        request, user=user, write=lambda: _answers_submit(request, user=user, slug=slug, key=key)
    )


def _answers_submit(request: Request, *, user: Any, slug: str, key: str) -> Response:
    payload = request.data
    answers = payload.get("answers") if isinstance(payload, dict) else None
    if not isinstance(answers, dict):
        return Response(
            {"answers": ['Send {"answers": {...}} with an answer for each question by name.']},
            status=status.HTTP_400_BAD_REQUEST,
        )
    _programme, item = programme_item_for_patient(patient=user, slug=slug)
    version = _version(item)
    step = len(version.pages) + [exercise["key"] for exercise in version.exercises].index(key) + 1
    if step > item.assignment.steps_done + 1:
        return _out_of_order()
    try:
        assignment = _started(item)
        response = exercise_answers_save(
            assignment=assignment, exercise_key=key, data=answers, finishing=True
        )
    except ExerciseAnswersInvalid as invalid:
        return Response(
            {name: [message] for name, message in invalid.errors.items()},
            status=status.HTTP_400_BAD_REQUEST,
        )
    except (ProgrammeRuleError, ValidationError) as error:
        return Response(
            {"detail": str(error.args[0] if error.args else error), "code": "not_possible"},
            status=status.HTTP_409_CONFLICT,
        )
    body = answers_body(response)
    if phrase_match("\n".join(str(value) for value in answers.values())):
        body["signposting"] = crisis_signposting()
    return Response(ExerciseAnswersSerializer(body).data)
