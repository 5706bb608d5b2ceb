"""What the navigator's queue learns from moodlog: whether a patient has rated mood yet."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet

from accounts.support_sources import getting_started_step_register
from moodlog.models import MoodRating


def _rated() -> QuerySet[MoodRating]:
    return MoodRating.objects.filter(patient=OuterRef("pk"))


getting_started_step_register(key="mood_rating", missing="first mood rating", done=_rated, order=30)
