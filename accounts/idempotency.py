"""``Idempotency-Key`` for every patient write in the API (PRODUCT.md, "REST API").

A phone on a poor connection sends a write, loses the answer and sends it again. With the same
``Idempotency-Key`` and the same request, the second gets the first response again and nothing
is done twice; the same key with a different request gets 422. The key, a hash of the request
and the first response are stored in the database (unique per person and key), in the
transaction that did the work, so two deliveries racing each other commit one result: the
loser's work is rolled back when its record meets the unique constraint, and it answers with
the winner's response. Only requests that were carried out are kept (a refused 400 is not), as
Stripe does.

This is about HTTP requests rather than any one feature, so it lives in the core, where every
feature's API can use it (moodlog and measures are in the same layer and may not share code).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import IdempotencyRecord, User

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Visible ASCII only, up to 255 characters: a UUID fits comfortably.
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
KEY_MESSAGE = (
    "Send the Idempotency-Key header as 1 to 255 visible ASCII characters, for example a UUID."
)
MISMATCH_MESSAGE = (
    "This Idempotency-Key was already used for a different request. Use a new key for each "
    "new change."
)
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyMismatch(Exception):
    """The key was used before for a different request."""


def idempotency_key_check(value: str) -> str:
    if not _KEY_PATTERN.fullmatch(value):
        raise ValidationError({IDEMPOTENCY_HEADER: [KEY_MESSAGE]})
    return value


def idempotency_request_hash(*, method: str, path: str, data: Any) -> str:
    """A fingerprint of the request: the same JSON in any key order gives the same hash."""
    canonical = json.dumps(
        {"method": method, "path": path, "data": data},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_record_find(*, user: User, key: str, request_hash: str) -> IdempotencyRecord | None:
    """The stored first response for this key, or None when the key is new.

    Raises :class:`IdempotencyMismatch` when the key was used for a different request.
    """
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and record.request_hash != request_hash:
        raise IdempotencyMismatch
    return record


def idempotency_record_store(
    *, user: User, key: str, request_hash: str, status_code: int, response_body: Any
) -> IdempotencyRecord:
    """Keep the first response. Call inside the transaction that did the work, so that the
    work and the record commit together; a concurrent request with the same key then fails
    here with ``IntegrityError`` and its work is rolled back."""
    return IdempotencyRecord.objects.create(
        user=user,
        key=key,
        request_hash=request_hash,
        status_code=status_code,
        response_body=response_body,
    )


def idempotent_write(request: Request, *, user: User, write: Callable[[], Response]) -> Response:
    """Run ``write`` (an API write that answers a ``Response``) under the request's
    ``Idempotency-Key``, if it sent one.

    Without the header the write simply runs. With it: a malformed key is 400; a key used
    before for a different request is 422; the same request again gets the first response
    (with ``Idempotent-Replayed: true``) and ``write`` does not run; otherwise ``write`` runs
    in a transaction that also stores its response when it succeeded.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return write()
    try:
        idempotency_key_check(key)
    except ValidationError as error:
        return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
    request_hash = idempotency_request_hash(
        method=request.method or "", path=request.path, data=request.data
    )
    replay = _replay(user=user, key=key, request_hash=request_hash)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            response = write()
            if status.is_success(response.status_code):
                idempotency_record_store(
                    user=user,
                    key=key,
                    request_hash=request_hash,
                    status_code=response.status_code,
                    response_body=response.data,
                )
    except IntegrityError:
        # A request with the same key committed first (a retry racing the original); its work
        # stands, ours was rolled back, and this one gets the first response.
        replay = _replay(user=user, key=key, request_hash=request_hash)
        if replay is None:
            raise
        return replay
    return response


def _replay(*, user: User, key: str, request_hash: str) -> Response | None:
    try:
        record = idempotency_record_find(user=user, key=key, request_hash=request_hash)
    except IdempotencyMismatch:
        return Response(
            {"detail": MISMATCH_MESSAGE, "code": "idempotency_key_reused"},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    if record is None:
        return None
    return Response(
        record.response_body, status=record.status_code, headers={REPLAYED_HEADER: "true"}
    )


class IdempotencyKeyErrorSerializer(serializers.Serializer[Any]):
    # The header's name is not a Python name, hence the field's source.
    key_errors = serializers.ListField(child=serializers.CharField())

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        return {IDEMPOTENCY_HEADER: fields.pop("key_errors")}


class IdempotencyErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="A message you can show to the person as it is.")
    code = serializers.CharField()


# The OpenAPI pieces every idempotent write adds to its description.
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    pattern=r"^[\x21-\x7e]{1,255}$",
    description=(
        "A new random value (a UUID) per change; resend it with a retry. The same key and "
        "request get the first response again (header `Idempotent-Replayed: true`) and nothing "
        "is done twice; the same key with a different request gets 422."
    ),
)
IDEMPOTENCY_422 = OpenApiResponse(
    IdempotencyErrorSerializer,
    description="This Idempotency-Key was used before for a different request.",
    examples=[
        OpenApiExample(
            "Key reused",
            value={"detail": MISMATCH_MESSAGE, "code": "idempotency_key_reused"},
            status_codes=["422"],
        )
    ],
)
IDEMPOTENCY_400 = OpenApiResponse(
    IdempotencyKeyErrorSerializer,
    description="The Idempotency-Key header is not 1 to 255 visible ASCII characters.",
    examples=[
        OpenApiExample(
            "Malformed key",
            value={IDEMPOTENCY_HEADER: [KEY_MESSAGE]},
            status_codes=["400"],
        )
    ],
)
