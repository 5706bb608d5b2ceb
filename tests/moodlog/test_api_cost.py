"""What the mood API costs per request: a fixed, small number of queries, whatever the range,
and answers built without a serializer that are exactly what the serializer would give."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from moodlog.models import MoodRating
from moodlog.selectors import mood_rating_values_for_patient
from moodlog.serializers import MoodRatingSerializer, rating_bodies, rating_body

pytestmark = pytest.mark.django_db

WINTER = datetime.datetime(2026, 1, 15, 19, 4, 11, 512000, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2026, 7, 15, 19, 4, 11, tzinfo=datetime.UTC)


def _ratings(patient: User, today: datetime.date, days: int) -> None:
    MoodRating.objects.bulk_create(
        MoodRating(
            patient=patient,
            day=today - datetime.timedelta(days=back),
            score=1 + back % 10,
            note="A walk." if back % 3 else "",
            recorded_at=WINTER if back % 2 else SUMMER,
            updated_at=SUMMER if back % 2 else WINTER,
        )
        for back in range(days)
    )


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "UTC"])
def test_the_bodies_are_exactly_what_the_serializer_gives(
    patient: User, today: datetime.date, zone: str
) -> None:
    _ratings(patient, today, 6)
    with timezone.override(zone):
        expected = [
            dict(MoodRatingSerializer(rating).data)
            for rating in MoodRating.objects.filter(patient=patient).order_by("day")
        ]
        assert rating_bodies(mood_rating_values_for_patient(patient=patient)) == expected
        one = MoodRating.objects.filter(patient=patient).first()
        assert one is not None
        assert rating_body(one) == dict(MoodRatingSerializer(one).data)
    # Both kinds of instant are covered: "Z" in winter, an offset in a London summer.
    summer = rating_bodies(mood_rating_values_for_patient(patient=patient))
    assert {row["recorded_at"][-6:] for row in summer} >= {"+01:00"}
    assert any(row["recorded_at"].endswith("Z") for row in summer)


def test_the_values_respect_from_and_to(patient: User, today: datetime.date) -> None:
    _ratings(patient, today, 10)
    first, last = today - datetime.timedelta(days=6), today - datetime.timedelta(days=2)
    days = [
        values[0]
        for values in mood_rating_values_for_patient(patient=patient, date_from=first, date_to=last)
    ]
    assert days == [first + datetime.timedelta(days=n) for n in range(5)]
    assert [v[0] for v in mood_rating_values_for_patient(patient=patient, date_to=first)] == [
        today - datetime.timedelta(days=back) for back in range(9, 5, -1)
    ]


def test_a_30_day_read_takes_two_queries(
    patient_api: APIClient,
    patient: User,
    other_patient: User,
    today: datetime.date,
    django_assert_num_queries: Any,
) -> None:
    _ratings(patient, today, 30)
    _ratings(other_patient, today, 3)
    patient_api.get("/api/v1/mood/")  # the token's last use is written once a minute
    start = (today - datetime.timedelta(days=29)).isoformat()
    # The token (with its user) and the range: nothing else, however many days.
    with django_assert_num_queries(2):
        response = patient_api.get("/api/v1/mood/", {"from": start, "to": today.isoformat()})
    assert response.status_code == 200
    assert len(response.json()) == 30


def test_a_write_takes_two_queries(
    patient_api: APIClient, today: datetime.date, django_assert_num_queries: Any
) -> None:
    patient_api.get("/api/v1/mood/")
    # The token (with its user) and the upsert.
    for score, status in ((4, 201), (5, 200)):
        with django_assert_num_queries(2):
            response = patient_api.put(f"/api/v1/mood/{today}/", {"score": score}, format="json")
        assert response.status_code == status
