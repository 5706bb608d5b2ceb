"""The mood API (PRODUCT.md, "REST API"): a patient's own ratings for the mobile app, and a
PWP's read of their caseload and of one patient's ratings.

Views parse and answer; the rules live in moodlog.services and the scoping in
moodlog.selectors.
"""

# Size: over 400 lines (the mood endpoints with their OpenAPI descriptions, which are long); next
# to be split by noun (tests/platform/test_code_shape.py).

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import api_user
from accounts.idempotency import IDEMPOTENCY_422, IDEMPOTENCY_PARAMETER, idempotent_write
from accounts.permissions import IsPatient
from moodlog.selectors import (
    mood_rating_get_for_patient,
    mood_rating_values_for_patient,
)
from moodlog.serializers import (
    DATE_MESSAGE,
    ErrorSerializer,
    MoodRangeErrorSerializer,
    MoodRangeSerializer,
    MoodRatingPostSerializer,
    MoodRatingPutSerializer,
    MoodRatingSerializer,
    MoodValidationErrorSerializer,
    rating_bodies,
    rating_body,
)
from moodlog.services import (
    MoodRatingConflict,
    mood_rating_delete,
    mood_rating_record,
)
from moodlog.throttles import MoodWriteThrottle
from safety.signposting import crisis_signposting

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

CONFLICT_MESSAGE = (
    "This day's rating was being changed by another request at the same moment. "
    "Please send it again."
)


def _day_from_path(value: str) -> datetime.date:
    # date.fromisoformat() also takes 20260302 and week dates; the API promises YYYY-MM-DD.
    if _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError({"date": [DATE_MESSAGE]})


# The same for the PUT body: a serializer's run_validation() keeps no state between calls,
# and a new serializer per request spends more on copying its fields than on checking them.
_PUT_INPUT = MoodRatingPutSerializer()


def _rating_response(rating_data: dict[str, Any], created: bool) -> Response:
    return Response(rating_data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _record(request: Request, *, day: datetime.date, score: int, note: str | None) -> Response:
    try:
        result = mood_rating_record(patient=api_user(request), day=day, score=score, note=note)
    except ValidationError as error:
        return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
    except MoodRatingConflict:
        return Response(
            {"detail": CONFLICT_MESSAGE, "code": "conflict"}, status=status.HTTP_409_CONFLICT
        )
    body = rating_body(result.rating)
    if result.flagged:
        # The note named a risk: signposting in the answer, as after PHQ-9 question 9.
        body["signposting"] = crisis_signposting()
    return _rating_response(body, result.created)


def range_from_query(
    request: Request,
) -> tuple[datetime.date | None, datetime.date | None]:
    # A plain dict, not the QueryDict: DRF treats "?from=" in a QueryDict as not given at all,
    # and an empty date is a mistake the app should hear about.
    params = {
        name: request.query_params[name] for name in ("from", "to") if name in request.query_params
    }
    query = MoodRangeSerializer(data=params)
    if not query.is_valid():
        raise ValidationError(query.errors)
    return query.validated_data.get("from"), query.validated_data.get("to")


RATING_EXAMPLE = {
    "date": "2026-03-02",
    "score": 6,
    "note": "Went for a walk.",
    "recorded_at": "2026-03-02T19:04:11.512000Z",
    "updated_at": "2026-03-02T19:04:11.512000Z",
}
VALIDATION_EXAMPLES = [
    OpenApiExample(
        "Score out of range",
        value={"score": ["Enter a whole number from 1 (very low) to 10 (very good)."]},
        response_only=True,
        status_codes=["400"],
    ),
    OpenApiExample(
        "Day too far back",
        value={"date": ["You can only rate or change today and the 14 days before it."]},
        response_only=True,
        status_codes=["400"],
    ),
]
ERROR_401 = OpenApiResponse(
    ErrorSerializer,
    description="No token, or the token has expired or was signed out: sign in again.",
    examples=[
        OpenApiExample(
            "Signed out",
            value={"detail": "This sign-in has expired or was signed out. Please sign in again."},
            status_codes=["401"],
        )
    ],
)
ERROR_403 = OpenApiResponse(ErrorSerializer, description="This account's role may not do this.")
ERROR_404 = OpenApiResponse(ErrorSerializer, description="There is nothing here for you.")
ERROR_409 = OpenApiResponse(
    ErrorSerializer,
    description="Another request changed the same day at the same moment; send it again.",
    examples=[
        OpenApiExample(
            "Conflict", value={"detail": CONFLICT_MESSAGE, "code": "conflict"}, status_codes=["409"]
        )
    ],
)
ERROR_429 = OpenApiResponse(
    ErrorSerializer, description="Too many changes in a short time; wait and try again."
)
RATING_RESPONSE = OpenApiResponse(
    MoodRatingSerializer,
    examples=[OpenApiExample("A rating", value=RATING_EXAMPLE, status_codes=["200", "201"])],
)
WRITE_RESPONSES = {
    200: OpenApiResponse(MoodRatingSerializer, description="The day's rating was replaced."),
    201: OpenApiResponse(MoodRatingSerializer, description="The day's rating was created."),
    400: OpenApiResponse(
        MoodValidationErrorSerializer,
        description="Nothing was stored. Each message can be shown to the person as it is.",
        examples=VALIDATION_EXAMPLES,
    ),
    401: ERROR_401,
    403: ERROR_403,
    409: ERROR_409,
    413: OpenApiResponse(ErrorSerializer, description="The request body is too large."),
    429: ERROR_429,
}
DATE_PARAMETER = OpenApiParameter(
    "date",
    OpenApiTypes.DATE,
    OpenApiParameter.PATH,
    description=(
        "The patient's local calendar day, YYYY-MM-DD. A rating can be written for today or any "
        "of the 14 days before it, in the patient's time zone; a future day or an older one "
        "gets 400 and nothing is stored."
    ),
)
RANGE_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="First day (inclusive)."
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="Last day (inclusive)."
    ),
]
RANGE_400 = OpenApiResponse(MoodRangeErrorSerializer, description="A date that is not YYYY-MM-DD.")


@extend_schema(
    methods=["GET"],
    operation_id="mood_list",
    summary="My mood ratings",
    description="The signed-in patient's own ratings, oldest day first.",
    parameters=RANGE_PARAMETERS,
    responses={
        200: MoodRatingSerializer(many=True),
        400: RANGE_400,
        401: ERROR_401,
        403: ERROR_403,
    },
    tags=["mood"],
)
@extend_schema(
    methods=["POST"],
    operation_id="mood_record",
    summary="Rate a day (today unless a date is given)",
    description=(
        "Creates (201) or replaces (200) the rating for `date`, which defaults to today in the "
        "patient's time zone. With an `Idempotency-Key` header a repeated request gets the first "
        "response again, and the same key with a different request gets 422."
    ),
    request=MoodRatingPostSerializer,
    parameters=[IDEMPOTENCY_PARAMETER],
    responses={**WRITE_RESPONSES, 422: IDEMPOTENCY_422},
    examples=[
        OpenApiExample("Rate today", value={"score": 6}, request_only=True),
        OpenApiExample(
            "Rate yesterday with a note",
            value={"score": 4, "note": "Slept badly.", "date": "2026-03-01"},
            request_only=True,
        ),
        OpenApiExample("A rating", value=RATING_EXAMPLE, response_only=True),
    ],
    tags=["mood"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
@throttle_classes([MoodWriteThrottle])
def mood_collection(request: Request) -> Response:
    if request.method == "GET":
        try:
            date_from, date_to = range_from_query(request)
        except ValidationError as error:
            return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
        ratings = mood_rating_values_for_patient(
            patient=api_user(request), date_from=date_from, date_to=date_to
        )
        return Response(rating_bodies(ratings))
    return _mood_post(request)


def _mood_post(request: Request) -> Response:
    return idempotent_write(request, user=api_user(request), write=lambda: _mood_post_once(request))


def _mood_post_once(request: Request) -> Response:
    serializer = MoodRatingPostSerializer(data=request.data)
    if not serializer.is_valid():
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
    data = serializer.validated_data
    day = data.get("date") or api_user(request).local_today()
    return _record(request, day=day, score=data["score"], note=data.get("note"))


@extend_schema(
    methods=["GET"],
    operation_id="mood_get",
    summary="My rating for one day",
    parameters=[DATE_PARAMETER],
    responses={
        200: RATING_RESPONSE,
        400: OpenApiResponse(MoodValidationErrorSerializer, description="Not a date."),
        401: ERROR_401,
        403: ERROR_403,
        404: OpenApiResponse(ErrorSerializer, description="No rating for that day."),
    },
    tags=["mood"],
)
@extend_schema(
    methods=["PUT"],
    operation_id="mood_put",
    summary="Rate a day",
    description=(
        "Creates (201) or replaces (200) the rating for the day in the path. Sending the same "
        "request again changes nothing, so it is safe to retry."
    ),
    parameters=[DATE_PARAMETER],
    request=MoodRatingPutSerializer,
    responses=WRITE_RESPONSES,
    examples=[
        OpenApiExample("Rate a day", value={"score": 7}, request_only=True),
        OpenApiExample(
            "With a note", value={"score": 3, "note": "Tired after work."}, request_only=True
        ),
        OpenApiExample("A rating", value=RATING_EXAMPLE, response_only=True),
    ],
    tags=["mood"],
)
@extend_schema(
    methods=["DELETE"],
    operation_id="mood_delete",
    summary="Remove my rating for a day",
    parameters=[DATE_PARAMETER],
    responses={
        204: OpenApiResponse(description="Removed."),
        400: OpenApiResponse(
            MoodValidationErrorSerializer,
            description="Not a date, or a day outside today and the 14 days before it.",
        ),
        401: ERROR_401,
        403: ERROR_403,
        404: OpenApiResponse(ErrorSerializer, description="No rating for that day."),
        429: ERROR_429,
    },
    tags=["mood"],
)
@api_view(["GET", "PUT", "DELETE"])
@permission_classes([IsAuthenticated, IsPatient])
@parser_classes([JSONParser])
@throttle_classes([MoodWriteThrottle])
def mood_detail(request: Request, date: str) -> Response:
    try:
        parsed_day = _day_from_path(date)
    except ValidationError as error:
        return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
    patient = api_user(request)
    if request.method == "GET":
        rating = mood_rating_get_for_patient(patient=patient, day=parsed_day)
        return Response(rating_body(rating))
    if request.method == "DELETE":
        try:
            deleted = mood_rating_delete(patient=patient, day=parsed_day)
        except ValidationError as error:
            return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
        if not deleted:
            raise Http404("There is no mood rating for that day.")
        return Response(status=status.HTTP_204_NO_CONTENT)
    try:
        data = _PUT_INPUT.run_validation(request.data)
    except serializers.ValidationError as error:
        return Response(serializers.as_serializer_error(error), status=status.HTTP_400_BAD_REQUEST)
    return _record(request, day=parsed_day, score=data["score"], note=data.get("note"))
