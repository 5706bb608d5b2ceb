"""Rating mood is activity (care/activity.py)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Max, QuerySet

from care.activity import activity_source_register
from moodlog.models import MoodRating


def latest_mood_rating(patient_ids: Collection[int]) -> QuerySet[Any]:
    # updated_at: changing today's rating later in the day is activity too.
    return (
        MoodRating.objects.filter(patient_id__in=patient_ids)
        .values("patient_id")
        .annotate(at=Max("updated_at"))
    )


activity_source_register(kind="mood", words="Rated mood", latest=latest_mood_rating)
