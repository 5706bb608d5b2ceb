"""Reads of mood ratings, each scoped to what the person asking may see."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from care.selectors import episode_get_for_staff
from moodlog.models import MoodRating


def mood_ratings_for_patient(
    *,
    patient: User,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[MoodRating]:
    """A patient's own ratings, oldest day first, optionally between two days (inclusive)."""
    ratings = MoodRating.objects.filter(patient=patient)
    if date_from is not None:
        ratings = ratings.filter(day__gte=date_from)
    if date_to is not None:
        ratings = ratings.filter(day__lte=date_to)
    return ratings.order_by("day")


# A rating as the API's body needs it: day, score, note, recorded_at, updated_at.
MoodRatingValues = tuple[datetime.date, int, str, datetime.datetime, datetime.datetime]
_VALUE_FIELDS = ("day", "score", "note", "recorded_at", "updated_at")
# Written out once: building and compiling the ORM's query on every read cost a quarter of a
# 30-day read's CPU (python -m bench http). A missing bound is NULL, which the planner folds
# away (the values are bound on the client), so every range uses the (patient, day) index.
_VALUES_SQL = (
    f"SELECT {', '.join(_VALUE_FIELDS)} FROM {MoodRating._meta.db_table}"  # noqa: S608
    " WHERE patient_id = %(patient)s"
    " AND (%(first)s::date IS NULL OR day >= %(first)s::date)"
    " AND (%(last)s::date IS NULL OR day <= %(last)s::date)"
    " ORDER BY day"
)


def mood_rating_values_for_patient(
    *,
    patient: User,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> list[MoodRatingValues]:
    """The ratings of :func:`mood_ratings_for_patient` as plain values, for the API."""
    if connection.vendor != "postgresql":
        # SQLite (make run) hands back naive datetimes from raw SQL; the ORM converts them.
        return list(
            mood_ratings_for_patient(
                patient=patient, date_from=date_from, date_to=date_to
            ).values_list(*_VALUE_FIELDS)
        )
    with connection.cursor() as cursor:
        cursor.execute(_VALUES_SQL, {"patient": patient.pk, "first": date_from, "last": date_to})
        return cursor.fetchall()


def mood_rating_get_for_patient(*, patient: User, day: datetime.date) -> MoodRating:
    rating = MoodRating.objects.filter(patient=patient, day=day).first()
    if rating is None:
        raise Http404("There is no mood rating for that day.")
    return rating


def mood_patient_get_for_pwp(*, staff: User, patient_id: int) -> User:
    """The patient whose mood ``staff`` may read: only their PWP in an active episode.

    Everyone else (another PWP, a service admin, a navigator, a patient) gets the same 404 as
    for a patient who does not exist.
    """
    if not staff.is_pwp:
        raise Http404("No such patient.")
    return episode_get_for_staff(staff=staff, patient_id=patient_id).patient
