"""The database keeps the rules even if code forgets them; the services say why in words."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from moodlog.models import MoodRating
from moodlog.services import (
    MoodRatingEntry,
    mood_days_changeable,
    mood_rating_delete,
    mood_rating_record,
    mood_ratings_import,
)


def make(patient: User, **fields: object) -> MoodRating:
    values: dict[str, object] = {"day": datetime.date(2026, 3, 2), "score": 5, **fields}
    return MoodRating.objects.create(patient=patient, **values)


def test_the_database_allows_one_rating_per_patient_per_day(patient: User) -> None:
    make(patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(patient, score=6)


def test_another_patient_may_rate_the_same_day(patient: User, other_patient: User) -> None:
    make(patient)
    make(other_patient)
    assert MoodRating.objects.count() == 2


@pytest.mark.parametrize("score", [0, 11, 100])
def test_the_database_refuses_a_score_outside_1_to_10(patient: User, score: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make(patient, score=score)


def test_the_database_refuses_a_note_over_500_characters(patient: User) -> None:
    from django.db import DataError

    # PostgreSQL's varchar(500) says DataError, SQLite's check constraint IntegrityError.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        make(patient, note="n" * 501)
    make(patient, note="n" * 500)


def test_record_creates_then_updates(patient: User) -> None:
    today = patient.local_today()
    first = mood_rating_record(patient=patient, day=today, score=3, note="  Slept badly.  ")
    assert first.created
    assert first.rating.note == "Slept badly."
    second = mood_rating_record(patient=patient, day=today, score=8)
    assert not second.created
    assert second.rating.pk == first.rating.pk
    assert second.rating.score == 8
    assert second.rating.note == ""
    assert second.rating.recorded_at == first.rating.recorded_at
    assert second.rating.updated_at >= first.rating.updated_at


@pytest.mark.parametrize("score", [0, 11, True, "5", 5.0, None])
def test_record_refuses_a_bad_score_in_words(patient: User, score: object) -> None:
    with pytest.raises(ValidationError) as error:
        mood_rating_record(patient=patient, day=patient.local_today(), score=score)  # type: ignore[arg-type]
    assert "1 (very low) to 10 (very good)" in error.value.message_dict["score"][0]
    assert not MoodRating.objects.exists()


def test_the_changeable_days_are_today_and_the_14_before(patient: User) -> None:
    days = mood_days_changeable(patient=patient)
    assert len(days) == 15
    assert days[0] == patient.local_today()
    assert days[-1] == patient.local_today() - datetime.timedelta(days=14)


def test_delete_reports_whether_there_was_a_rating(patient: User) -> None:
    today = patient.local_today()
    assert not mood_rating_delete(patient=patient, day=today)
    mood_rating_record(patient=patient, day=today, score=4)
    assert mood_rating_delete(patient=patient, day=today)
    assert not MoodRating.objects.exists()


def test_import_takes_older_days_but_not_future_ones(patient: User) -> None:
    today = patient.local_today()
    old = today - datetime.timedelta(days=40)
    assert mood_ratings_import(patient=patient, entries=[MoodRatingEntry(day=old, score=2)]) == 1
    with pytest.raises(ValidationError):
        mood_ratings_import(
            patient=patient,
            entries=[MoodRatingEntry(day=today + datetime.timedelta(days=1), score=2)],
        )
    with pytest.raises(ValidationError):
        mood_ratings_import(patient=patient, entries=[MoodRatingEntry(day=today, score=12)])
    assert list(MoodRating.objects.values_list("day", flat=True)) == [old]


def test_the_portable_upsert_gives_up_with_a_conflict_not_an_error(
    patient: User, monkeypatch
) -> None:
    """Where other requests keep creating and removing the same day under it, the update-else-
    insert loop stops after a few tries with MoodRatingConflict (409), not IntegrityError."""
    from django.utils import timezone

    from moodlog import services

    def always_collides(**kwargs: object) -> MoodRating:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(MoodRating.objects, "create", always_collides)
    with pytest.raises(services.MoodRatingConflict):
        services._upsert_portable(
            patient=patient, day=patient.local_today(), score=5, note="", now=timezone.now()
        )


def test_the_portable_upsert_updates_the_row_another_request_created(
    patient: User, monkeypatch
) -> None:
    """Losing the race for the insert: the other request's row is there, so go round and
    update it."""
    from django.db.models import QuerySet
    from django.utils import timezone

    from moodlog import services

    day = patient.local_today()
    real_update = QuerySet.update
    raced: list[bool] = []

    def update_just_before_the_other_insert(self, **kwargs):
        if self.model is MoodRating and not raced:
            raced.append(True)
            # Our update found nothing; the other request's insert lands straight after.
            MoodRating.objects.create(patient=patient, day=day, score=1)
            return 0
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_just_before_the_other_insert)
    result = services._upsert_portable(
        patient=patient, day=day, score=8, note="", now=timezone.now()
    )
    assert not result.created
    assert MoodRating.objects.get(patient=patient, day=day).score == 8
