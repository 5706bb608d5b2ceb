"""Messages with my therapist in the app (``/api/v1/messages/``): the list, marking read and
sending. Sending goes through ``message_send``, as the web page does, which reads the words for
safety phrases in the same transaction; the answer then carries crisis signposting."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
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
from care.models import Episode
from care.selectors import episode_active_for_patient
from clinician.forms import MessageForm
from clinician.models import Message
from clinician.selectors import messages_for_episode
from clinician.services import message_send, messages_mark_read
from safety.api_schema import CrisisSignpostingSerializer
from safety.phrases import phrase_match
from safety.signposting import crisis_signposting

NO_THERAPIST_MESSAGE = (
    "You do not have a therapist to write to at the moment. If you need to talk to someone, "
    "contact your NHS Talking Therapies service."
)
SENT_MESSAGE = (
    "Message sent. Your therapist will read it before your next session. It is not read "
    "straight away."
)
TEXT_MESSAGE = "Send the message as text."


class MessageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    body = serializers.CharField()
    from_me = serializers.BooleanField(help_text="True for my messages, false for my therapist's.")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(
        allow_null=True, help_text="When the other side read it (mine) or I did (theirs)."
    )


class MessageSendSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=2000, help_text="Up to 2000 characters.")


class MessageSentSerializer(MessageSerializer):
    detail = serializers.CharField(help_text="What happens next, to show to the person.")
    signposting = CrisisSignpostingSerializer(
        required=False,
        help_text="Present when the words written suggest the person may be at risk.",
    )


class MarkedReadSerializer(serializers.Serializer[Any]):
    marked_read = serializers.IntegerField()


def _message_body(message: Message, patient: User) -> dict[str, Any]:
    return {
        "id": message.pk,
        "body": message.body,
        "from_me": message.sender_id == patient.pk,
        "created_at": message.created_at,
        "read_at": message.read_at,
    }


def _episode_with_therapist(patient: User) -> Episode | None:
    episode = episode_active_for_patient(patient=patient)
    if episode is None or episode.pwp is None:
        return None
    return episode


@extend_schema(
    methods=["GET"],
    operation_id="messages_list",
    summary="My messages with my therapist, oldest first",
    description="Reading the list does not mark anything read: see POST /api/v1/messages/read/.",
    responses={200: MessageSerializer(many=True), 401: ERROR_401, 403: ERROR_403},
    tags=["messages"],
)
@extend_schema(
    methods=["POST"],
    operation_id="messages_send",
    summary="Send a message to my therapist",
    description=(
        "Sends the message as the web page does. The therapist reads messages before the "
        "next session, not straight away; words that suggest the person may be at risk raise "
        "a flag for their therapist and the answer carries crisis signposting."
    ),
    parameters=[IDEMPOTENCY_PARAMETER],
    request=MessageSendSerializer,
    responses={
        201: MessageSentSerializer,
        400: FIELD_ERRORS_400,
        401: ERROR_401,
        403: ERROR_403,
        409: ERROR_409,
        422: IDEMPOTENCY_422,
    },
    examples=[
        OpenApiExample("A message", value={"body": "Can we talk about sleep?"}, request_only=True),
        OpenApiExample(
            "Empty",
            value={"body": ["Write a message before sending it."]},
            response_only=True,
            status_codes=["400"],
        ),
    ],
    tags=["messages"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
def messages(request: Request) -> Response:
    patient = api_user(request)
    if request.method == "GET":
        episode = episode_active_for_patient(patient=patient)
        thread = messages_for_episode(episode=episode) if episode is not None else []
        return Response(
            MessageSerializer([_message_body(item, patient) for item in thread], many=True).data
        )
    return idempotent_write(request, user=patient, write=lambda: _message_send(request, patient))


def _message_send(request: Request, patient: User) -> Response:
    episode = _episode_with_therapist(patient)
    if episode is None:
        return Response(
            {"detail": NO_THERAPIST_MESSAGE, "code": "no_therapist"},
            status=status.HTTP_409_CONFLICT,
        )
    data = request.data if isinstance(request.data, dict) else {}
    if "body" in data and not isinstance(data["body"], str):
        return Response({"body": [TEXT_MESSAGE]}, status=status.HTTP_400_BAD_REQUEST)
    # The web form's own checks, so that the messages are the same words.
    form = MessageForm(data)
    if not form.is_valid():
        return Response(form_errors(form), status=status.HTTP_400_BAD_REQUEST)
    try:
        message = message_send(
            episode=episode,
            sender=patient,
            body=form.cleaned_data["body"],
            request=request._request,
        )
    except ValidationError as error:
        return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
    body = {**_message_body(message, patient), "detail": SENT_MESSAGE}
    if phrase_match(message.body):
        body["signposting"] = crisis_signposting()
    return Response(MessageSentSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema(
    operation_id="messages_mark_read",
    summary="Mark my therapist's messages read",
    parameters=[IDEMPOTENCY_PARAMETER],
    request=None,
    responses={
        200: MarkedReadSerializer,
        400: IDEMPOTENCY_400,
        401: ERROR_401,
        403: ERROR_403,
        422: IDEMPOTENCY_422,
    },
    tags=["messages"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
def messages_read(request: Request) -> Response:
    patient = api_user(request)

    def write() -> Response:
        episode = episode_active_for_patient(patient=patient)
        count = messages_mark_read(episode=episode, reader=patient) if episode is not None else 0
        return Response({"marked_read": count})

    return idempotent_write(request, user=patient, write=write)
