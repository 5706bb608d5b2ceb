"""Shapes of the mood API's requests and responses. Validation of input shape only: the rules
about which days may be changed live in moodlog.services."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from moodlog.models import MOOD_NOTE_MAX_LENGTH, MOOD_SCORE_MAX, MOOD_SCORE_MIN, MoodRating
from moodlog.selectors import MoodRatingValues
from moodlog.services import NOTE_MESSAGE, SCORE_MESSAGE

DATE_MESSAGE = "Enter the date as YYYY-MM-DD, for example 2026-03-02."
DATE_RANGE_MESSAGE = "The 'from' date must be on or before the 'to' date."


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: not "7", 7.0 or true, which DRF's IntegerField would accept."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


def _score_field() -> StrictIntegerField:
    return StrictIntegerField(
        min_value=MOOD_SCORE_MIN,
        max_value=MOOD_SCORE_MAX,
        help_text="How the day was, from 1 (very low) to 10 (very good).",
        error_messages=dict.fromkeys(
            ("invalid", "required", "null", "min_value", "max_value", "max_string_length"),
            SCORE_MESSAGE,
        ),
    )


def _note_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=MOOD_NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=(
            "An optional note, up to 500 characters. Missing (or null) keeps the day's note as "
            'it is, so an app that changes only the score loses nothing; send "" to clear it.'
        ),
        error_messages={
            "max_length": NOTE_MESSAGE,
            "invalid": "Send the note as text.",
        },
    )


class MoodRatingPutSerializer(serializers.Serializer[Any]):
    score = _score_field()
    note = _note_field()


class MoodRatingPostSerializer(MoodRatingPutSerializer):
    date = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text=(
            "The day rated (YYYY-MM-DD): today or one of the 14 days before it, in the "
            "patient's own time zone (today if missing). A future or older day gets 400."
        ),
        error_messages={"invalid": DATE_MESSAGE, "datetime": DATE_MESSAGE, "null": DATE_MESSAGE},
    )


class MoodRatingSerializer(serializers.ModelSerializer[MoodRating]):
    """The shape of a rating in the API's answers, for the schema. The answers themselves are
    built by :func:`rating_body`, which gives exactly what this serializer would."""

    date = serializers.DateField(source="day", help_text="The patient's local calendar day.")
    score = serializers.IntegerField(min_value=MOOD_SCORE_MIN, max_value=MOOD_SCORE_MAX)
    note = serializers.CharField(max_length=MOOD_NOTE_MAX_LENGTH, allow_blank=True)

    class Meta:
        model = MoodRating
        fields = ["date", "score", "note", "recorded_at", "updated_at"]
        read_only_fields = fields


def _instant(value: datetime.datetime, zone: datetime.tzinfo) -> str:
    # As DRF's DateTimeField writes it: in the current time zone, ISO 8601, "Z" for UTC.
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rating_bodies(ratings: Iterable[MoodRatingValues]) -> list[dict[str, Any]]:
    """Ratings' bodies (``MoodRatingSerializer``'s shape) from their values.

    Written out rather than run through the serializer: a serializer walks its fields and
    their attributes for every rating, which cost more CPU than the rest of a 30-day read
    (``python -m bench http``). A test holds the two to the same output.
    """
    zone = timezone.get_current_timezone()
    return [
        {
            "date": day.isoformat(),
            "score": score,
            "note": note,
            "recorded_at": _instant(recorded_at, zone),
            "updated_at": _instant(updated_at, zone),
        }
        for day, score, note, recorded_at, updated_at in ratings
    ]


def rating_body(rating: MoodRating) -> dict[str, Any]:
    values = (rating.day, rating.score, rating.note, rating.recorded_at, rating.updated_at)
    return rating_bodies([values])[0]


class MoodRangeSerializer(serializers.Serializer[Any]):
    """The ``?from=&to=`` query of a list of ratings (both optional, both inclusive)."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "from" is a Python keyword, so these fields cannot be class attributes.
        return {
            "from": serializers.DateField(
                required=False, input_formats=["iso-8601"], error_messages={"invalid": DATE_MESSAGE}
            ),
            "to": serializers.DateField(
                required=False, input_formats=["iso-8601"], error_messages={"invalid": DATE_MESSAGE}
            ),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        date_from: datetime.date | None = attrs.get("from")
        date_to: datetime.date | None = attrs.get("to")
        if date_from and date_to and date_from > date_to:
            raise serializers.ValidationError({"from": [DATE_RANGE_MESSAGE]})
        return attrs


class PatientSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="patient.pk", help_text="The patient's id.")
    name = serializers.CharField(source="patient.display_name")
    next_appointment = serializers.DateTimeField(
        source="next_appointment_at",
        allow_null=True,
        help_text="When the next booked session starts, or null when none is booked.",
    )


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="A message you can show to the person as it is.")
    code = serializers.CharField(required=False)


class MoodValidationErrorSerializer(serializers.Serializer[Any]):
    """400: each field that was not acceptable, with messages you can show as they are."""

    score = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.ListField(child=serializers.CharField(), required=False)
    date = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class MoodRangeErrorSerializer(serializers.Serializer[Any]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            "from": serializers.ListField(child=serializers.CharField(), required=False),
            "to": serializers.ListField(child=serializers.CharField(), required=False),
        }
