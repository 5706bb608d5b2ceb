from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

MOOD_SCORE_MIN = 1
MOOD_SCORE_MAX = 10
MOOD_NOTE_MAX_LENGTH = 500


class MoodRating(models.Model):
    """A patient's mood on one day of their own calendar, from 1 (very low) to 10 (very good).

    ``day`` is the patient's local date (their time zone), not the server's: a rating at 00:30
    in London belongs to the new day there whatever the UTC date is.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mood_ratings"
    )
    day = models.DateField()
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=MOOD_NOTE_MAX_LENGTH, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "day"]
        constraints = [
            # One rating per patient per day: concurrent writes for the same day meet here.
            models.UniqueConstraint(fields=["patient", "day"], name="mood_rating_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(score__gte=MOOD_SCORE_MIN, score__lte=MOOD_SCORE_MAX),
                name="mood_rating_score_1_to_10",
            ),
            # PostgreSQL's varchar(500) already enforces this; SQLite does not, so say it twice.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), MOOD_NOTE_MAX_LENGTH),
                name="mood_rating_note_max_500",
            ),
        ]

    def __str__(self) -> str:
        return f"Mood {self.score} on {self.day:%Y-%m-%d}"
