"""Reads of mood ratings, each scoped to what the person asking may see."""

from __future__ import annotations

import datetime

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
