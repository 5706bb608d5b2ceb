"""The patient's own API for the app: this week's plan and feedback, and what they want to
talk about at the next session (``/api/v1/plan/``, ``/api/v1/next-session/``); messages are in
patients.api_messages.

The same selectors and services as the web pages in patients.views: a topic goes through
``patient_topic_set``, which reads the words for safety phrases in the same transaction; the
answer then carries crisis signposting, as the web page then shows the crisis help page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_responses import (
    ERROR_401,
    ERROR_403,
    ERROR_409,
    FIELD_ERRORS_400,
    form_errors,
)
from accounts.http import api_user
from accounts.idempotency import (
    IDEMPOTENCY_400,
    IDEMPOTENCY_422,
    IDEMPOTENCY_PARAMETER,
    idempotent_write,
)
from accounts.models import User
from accounts.permissions import IsPatient
from care.models import Appointment, Episode
from care.selectors import appointment_next_for_episode, episode_active_for_patient
from clinician.models import PatientTopic
from clinician.services import patient_topic_set
from modules.selectors import exercise_definition, exercise_feedback_for_patient
from patients.forms import TopicForm
from patients.selectors import plan_for_patient
from safety.api_schema import CrisisSignpostingSerializer
from safety.phrases import phrase_match
from safety.signposting import crisis_signposting

NO_THERAPIST_MESSAGE = (
    "You do not have a therapist to write to at the moment. If you need to talk to someone, "
    "contact your NHS Talking Therapies service."
)
NO_SESSION_MESSAGE = "There is no session booked for you at the moment."
SENT_MESSAGE = (
    "Message sent. Your therapist will read it before your next session. It is not read "
    "straight away."
)


# --- This week's plan and feedback ------------------------------------------------------------


class TaskSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    module_slug = serializers.CharField(allow_blank=True)
    minutes_per_day = serializers.IntegerField(allow_null=True)
    done = serializers.BooleanField()


class SessionSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    kind = serializers.CharField(help_text="face_to_face or online")
    scheduled_at = serializers.DateTimeField()


class FeedbackSerializer(serializers.Serializer[Any]):
    module_title = serializers.CharField()
    exercise_title = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class PlanSerializer(serializers.Serializer[Any]):
    tasks = TaskSerializer(many=True, help_text="Agreed at the latest session.")
    next_session = SessionSerializer(allow_null=True)
    feedback = FeedbackSerializer(many=True, help_text="My therapist's latest, newest first.")


def _session_body(appointment: Appointment | None) -> dict[str, Any] | None:
    if appointment is None:
        return None
    return {
        "number": appointment.number,
        "kind": appointment.kind,
        "scheduled_at": appointment.scheduled_at,
    }


@extend_schema(
    operation_id="plan_get",
    summary="This week's plan, my next session and my therapist's feedback",
    responses={200: PlanSerializer, 401: ERROR_401, 403: ERROR_403},
    tags=["me"],
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, IsPatient])
def plan(request: Request) -> Response:
    patient = api_user(request)
    episode = episode_active_for_patient(patient=patient)
    tasks = plan_for_patient(episode=episode) if episode is not None else []
    feedback = []
    for item in exercise_feedback_for_patient(patient=patient):
        version = item.response.assignment.version
        exercise = (
            exercise_definition(version=version, key=item.response.exercise_key)
            if version is not None
            else None
        )
        feedback.append(
            {
                "module_title": version.title if version is not None else "",
                "exercise_title": exercise["title"] if exercise is not None else "",
                "text": item.text,
                "created_at": item.created_at,
            }
        )
    body = {
        "tasks": [
            {
                "description": task.description,
                "module_slug": task.module_slug,
                "minutes_per_day": task.minutes_per_day,
                "done": task.done_at is not None,
            }
            for task in tasks
        ],
        "next_session": _session_body(
            appointment_next_for_episode(episode=episode) if episode is not None else None
        ),
        "feedback": feedback,
    }
    return Response(PlanSerializer(body).data)


# --- What I want to talk about at my next session ---------------------------------------------


class TopicSerializer(serializers.Serializer[Any]):
    session = SessionSerializer()
    text = serializers.CharField(
        allow_blank=True, help_text="In my own words; empty when I have written nothing."
    )
    updated_at = serializers.DateTimeField(allow_null=True)
    signposting = CrisisSignpostingSerializer(required=False)


class TopicWriteSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(
        max_length=1000, allow_blank=True, help_text="Up to 1000 characters; empty clears it."
    )


def _topic_body(appointment: Appointment, topic: PatientTopic | None) -> dict[str, Any]:
    return {
        "session": _session_body(appointment),
        "text": topic.text if topic is not None else "",
        "updated_at": topic.updated_at if topic is not None else None,
    }


@extend_schema(
    methods=["GET"],
    operation_id="next_session_topics_get",
    summary="What I want to talk about at my next session",
    responses={200: TopicSerializer, 401: ERROR_401, 403: ERROR_403, 409: ERROR_409},
    tags=["me"],
)
@extend_schema(
    methods=["PUT"],
    operation_id="next_session_topics_set",
    summary="Write or change what I want to talk about",
    description=(
        "As on the web page: one piece of text for the next session, which can be changed "
        "until the session. Words that suggest the person may be at risk raise a flag for "
        "their therapist and the answer carries crisis signposting."
    ),
    parameters=[IDEMPOTENCY_PARAMETER],
    request=TopicWriteSerializer,
    responses={
        200: TopicSerializer,
        400: FIELD_ERRORS_400,
        401: ERROR_401,
        403: ERROR_403,
        409: ERROR_409,
        422: IDEMPOTENCY_422,
    },
    examples=[
        OpenApiExample(
            "Topics", value={"text": "My sleep, and the thought diary."}, request_only=True
        )
    ],
    tags=["me"],
)
@extend_schema(
    methods=["DELETE"],
    operation_id="next_session_topics_clear",
    summary="Clear what I wrote for my next session",
    parameters=[IDEMPOTENCY_PARAMETER],
    responses={
        204: OpenApiResponse(description="Cleared."),
        400: IDEMPOTENCY_400,
        401: ERROR_401,
        403: ERROR_403,
        409: ERROR_409,
        422: IDEMPOTENCY_422,
    },
    tags=["me"],
)
@api_view(["GET", "PUT", "DELETE"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
def next_session_topics(request: Request) -> Response:
    patient = api_user(request)
    if request.method == "GET":
        found = _next_session(patient)
        if found is None:
            return _no_session()
        _episode, appointment = found
        topic = PatientTopic.objects.filter(appointment=appointment).first()
        return Response(TopicSerializer(_topic_body(appointment, topic)).data)
    return idempotent_write(request, user=patient, write=lambda: _topics_write(request, patient))


def _next_session(patient: User) -> tuple[Episode, Appointment] | None:
    episode = episode_active_for_patient(patient=patient)
    appointment = appointment_next_for_episode(episode=episode) if episode is not None else None
    if episode is None or appointment is None:
        return None
    return episode, appointment


def _no_session() -> Response:
    return Response(
        {"detail": NO_SESSION_MESSAGE, "code": "no_session"}, status=status.HTTP_409_CONFLICT
    )


def _topics_write(request: Request, patient: User) -> Response:
    found = _next_session(patient)
    if found is None:
        return _no_session()
    episode, appointment = found
    if request.method == "DELETE":
        patient_topic_set(episode=episode, appointment=appointment, text="")
        return Response(status=status.HTTP_204_NO_CONTENT)
    data = request.data if isinstance(request.data, dict) else {}
    if not isinstance(data.get("text"), str):
        return Response(
            {"text": ["Send the text, or an empty text to clear it."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    # The web form's own checks and words.
    form = TopicForm(data)
    if not form.is_valid():
        return Response(form_errors(form), status=status.HTTP_400_BAD_REQUEST)
    topic = patient_topic_set(
        episode=episode, appointment=appointment, text=form.cleaned_data["text"]
    )
    body = _topic_body(appointment, topic)
    if phrase_match(topic.text):
        body["signposting"] = crisis_signposting()
    return Response(TopicSerializer(body).data)
