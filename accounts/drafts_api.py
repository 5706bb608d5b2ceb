"""``/api/v1/drafts/{key}/``: save as you go for the patient's forms (accounts/drafts.py).

``PUT`` keeps what was typed (200, the same answer however often it is sent, so a phone that
retries after a lost connection stores it once), ``GET`` gives it back (404 when there is none),
``DELETE`` discards it (204). A key that is not one of the patient's own forms is 404, as a form
that does not exist would be.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.drafts import draft_delete, draft_get, draft_key_allowed, draft_save
from accounts.http import api_user
from accounts.models import Draft
from accounts.permissions import IsPatient
from bcbt.api_errors import BoundedJSONParser

NOT_FOUND = {"detail": "There is no draft for that form."}
NOT_YOURS = {"detail": "That is not one of your forms."}


class DraftSerializer(serializers.Serializer[Draft]):
    key = serializers.CharField(read_only=True)
    values = serializers.DictField(
        source="fields",
        child=serializers.JSONField(),
        help_text=(
            "Field name to what was typed: text, or a list of text for a question with "
            "several choices. At most 40 fields and 20,000 characters in all."
        ),
    )
    updated_at = serializers.DateTimeField(read_only=True)


class DraftErrorSerializer(serializers.Serializer[None]):
    detail = serializers.CharField()


_KEY_PARAMETER = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=(
        "Which form: `exercise.<module slug>.<exercise key>`, `message`, `next-session` or "
        "`mood-note.<YYYY-MM-DD>`."
    ),
)
_DENIALS: dict[int | tuple[int, str], Any] = {
    401: OpenApiResponse(DraftErrorSerializer, description="Not signed in."),
    403: OpenApiResponse(DraftErrorSerializer, description="Only patients keep drafts."),
    404: OpenApiResponse(DraftErrorSerializer, description="No draft, or not one of your forms."),
}


@extend_schema(
    methods=["GET"],
    parameters=[_KEY_PARAMETER],
    responses={200: DraftSerializer, **_DENIALS},
    summary="My draft of one form",
)
@extend_schema(
    methods=["PUT"],
    parameters=[_KEY_PARAMETER],
    request=DraftSerializer,
    responses={
        200: DraftSerializer,
        400: OpenApiResponse(description="The fields are not text, or too long."),
        **_DENIALS,
    },
    summary="Keep what I have typed so far",
    description=(
        "Saved as the patient types and when they leave the page; replaces the form's earlier "
        "draft. Drafts are read by no one else and raise no safety flag: only the form's final "
        "save does. The draft is deleted when that save succeeds."
    ),
)
@extend_schema(
    methods=["DELETE"],
    parameters=[_KEY_PARAMETER],
    responses={204: None, **_DENIALS},
    summary="Discard my draft of one form",
)
@api_view(["GET", "PUT", "DELETE"])
@parser_classes([BoundedJSONParser])
@permission_classes([IsAuthenticated, IsPatient])
def draft_detail(request: Request, key: str) -> Response:
    user = api_user(request)
    if not draft_key_allowed(user=user, key=key):
        return Response(NOT_YOURS, status=status.HTTP_404_NOT_FOUND)
    if request.method == "DELETE":
        draft_delete(user=user, key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "PUT":
        body = request.data if isinstance(request.data, dict) else {}
        if "values" not in body:
            return Response({"values": ["This field is required."]}, status=400)
        try:
            draft = draft_save(user=user, key=key, fields=body["values"])
        except ValidationError as error:
            # The service names the model's field; the API calls it "values".
            return Response({"values": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(DraftSerializer(draft).data)
    found = draft_get(user=user, key=key)
    if found is None:
        return Response(NOT_FOUND, status=status.HTTP_404_NOT_FOUND)
    return Response(DraftSerializer(found).data)
