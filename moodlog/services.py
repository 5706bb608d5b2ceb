"""Writes of mood ratings. The web page, the API and the demo data all come through here."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from moodlog.models import MOOD_NOTE_MAX_LENGTH, MOOD_SCORE_MAX, MOOD_SCORE_MIN, MoodRating
from safety.free_text import risk_flag_raise_for_text
from safety.models import RiskFlagSourceKind
from safety.phrases import phrase_match

if TYPE_CHECKING:
    from accounts.models import User

# A patient may rate or change today and the 14 days before it. Older days are part of the
# record their PWP has already read, so they stay as they are.
MOOD_CHANGE_WINDOW_DAYS = 14

SCORE_MESSAGE = "Enter a whole number from 1 (very low) to 10 (very good)."
NOTE_MESSAGE = f"Keep the note to {MOOD_NOTE_MAX_LENGTH} characters or fewer."
FUTURE_DAY_MESSAGE = "That day has not happened yet. You can rate today or the 14 days before it."
OLD_DAY_MESSAGE = "You can only rate or change today and the 14 days before it."

# An upsert goes round at most this many times when other requests keep creating and deleting
# the same day's rating under it; in practice the second time always finds the row.
UPSERT_ATTEMPTS = 3


class MoodRatingConflict(Exception):
    """Another request kept changing the same day at the same time; the client may retry."""


@dataclass(frozen=True)
class MoodRatingResult:
    rating: MoodRating
    created: bool
    # The note named a risk: the patient is shown crisis signposting at once.
    flagged: bool = False


@dataclass(frozen=True)
class MoodRatingEntry:
    """One historic rating for :func:`mood_ratings_import`."""

    day: datetime.date
    score: int
    note: str = ""
    recorded_at: datetime.datetime | None = None


def mood_days_changeable(*, patient: User) -> list[datetime.date]:
    """The days a patient may rate or change, newest first, in their own time zone."""
    today = patient.local_today()
    return [today - datetime.timedelta(days=back) for back in range(MOOD_CHANGE_WINDOW_DAYS + 1)]


def _score_and_note_check(*, score: object, note: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if (
        not isinstance(score, int)
        or isinstance(score, bool)
        or not MOOD_SCORE_MIN <= score <= MOOD_SCORE_MAX
    ):
        errors["score"] = [SCORE_MESSAGE]
    if len(note) > MOOD_NOTE_MAX_LENGTH:
        errors["note"] = [NOTE_MESSAGE]
    return errors


def mood_day_check(*, patient: User, day: datetime.date) -> None:
    """Raise ``ValidationError({"date": ...})`` unless the patient may rate or change ``day``."""
    today = patient.local_today()
    if day > today:
        raise ValidationError({"date": [FUTURE_DAY_MESSAGE]})
    if day < today - datetime.timedelta(days=MOOD_CHANGE_WINDOW_DAYS):
        raise ValidationError({"date": [OLD_DAY_MESSAGE]})


def mood_rating_record(
    *, patient: User, day: datetime.date, score: int, note: str | None = ""
) -> MoodRatingResult:
    """Create or replace the patient's rating for ``day`` (their local date).

    ``note=None`` keeps the day's note as it is (an app that changes only the score must not
    erase what the patient wrote); a new rating then has no note. ``note=""`` clears it.

    Raises ``ValidationError`` (with ``score``, ``note`` or ``date`` messages) and stores
    nothing when the input is not acceptable. Requests for the same day at the same time end
    as one row holding the last one's score; none of them fails. Raises
    :class:`MoodRatingConflict` (the API's 409) only if the write still cannot be made.
    """
    note = None if note is None else note.strip()
    errors = _score_and_note_check(score=score, note=note or "")
    try:
        mood_day_check(patient=patient, day=day)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    # The rating, any flag its note raises and the flag's alert are kept together or not at all.
    # A note that names no risk needs no transaction round the single upsert statement (and the
    # write keeps its fixed query count).
    with transaction.atomic() if note and phrase_match(note) else contextlib.nullcontext():
        if connection.vendor == "postgresql":
            result = _upsert_postgresql(patient=patient, day=day, score=score, note=note, now=now)
        else:
            result = _upsert_portable(patient=patient, day=day, score=score, note=note, now=now)
        # A kept note was checked when it was written.
        flag = (
            risk_flag_raise_for_text(
                patient=patient, text=note, source_kind=RiskFlagSourceKind.MOOD_NOTE, now=now
            )
            if note
            else None
        )
    return MoodRatingResult(rating=result.rating, created=result.created, flagged=flag is not None)


# One statement that cannot lose a race: PostgreSQL resolves concurrent inserts of the same
# (patient, day) inside ON CONFLICT. ``xmax = 0`` holds only for a row this statement inserted,
# which tells a new rating (201) from a replaced one (200). A NULL note keeps the stored one.
_UPSERT_SQL = f"""
    INSERT INTO {MoodRating._meta.db_table} AS rating
        (patient_id, day, score, note, recorded_at, updated_at)
    VALUES (%s, %s, %s, COALESCE(%s, ''), %s, %s)
    ON CONFLICT (patient_id, day) DO UPDATE
        SET score = EXCLUDED.score,
            note = CASE WHEN %s THEN rating.note ELSE EXCLUDED.note END,
            updated_at = EXCLUDED.updated_at
    RETURNING id, recorded_at, (xmax = 0) AS created, note
"""  # noqa: S608 (the table name is our own constant; every value is a parameter)


def _upsert_postgresql(
    *, patient: User, day: datetime.date, score: int, note: str | None, now: datetime.datetime
) -> MoodRatingResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT_SQL, [patient.pk, day, score, note, now, now, note is None])
            rating_id, recorded_at, created, note = cursor.fetchone()
    except IntegrityError as error:
        # Not the unique day, which ON CONFLICT absorbs: the patient was removed meanwhile.
        raise MoodRatingConflict from error
    rating = MoodRating(
        id=rating_id,
        patient=patient,
        day=day,
        score=score,
        note=note,
        recorded_at=recorded_at,
        updated_at=now,
    )
    return MoodRatingResult(rating=rating, created=bool(created))


def _upsert_portable(
    *, patient: User, day: datetime.date, score: int, note: str | None, now: datetime.datetime
) -> MoodRatingResult:
    """Update, else insert, for databases without PostgreSQL's ON CONFLICT ... RETURNING
    semantics (SQLite in development). A lost race for the insert goes round and updates."""
    changes: dict[str, object] = {"score": score, "updated_at": now}
    if note is not None:
        changes["note"] = note
    for _attempt in range(UPSERT_ATTEMPTS):
        updated = MoodRating.objects.filter(patient=patient, day=day).update(**changes)
        if updated:
            return MoodRatingResult(
                rating=MoodRating.objects.get(patient=patient, day=day), created=False
            )
        try:
            # A savepoint inside a caller's transaction, so that losing the race for the
            # unique (patient, day) row leaves that transaction usable.
            with transaction.atomic():
                rating = MoodRating.objects.create(
                    patient=patient,
                    day=day,
                    score=score,
                    note=note or "",
                    recorded_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            # Another request created this day's rating between our update and our insert;
            # go round again and update it instead.
            continue
        return MoodRatingResult(rating=rating, created=True)
    raise MoodRatingConflict


def mood_rating_delete(*, patient: User, day: datetime.date) -> bool:
    """Remove the patient's rating for ``day``. Returns False when there was none."""
    mood_day_check(patient=patient, day=day)
    deleted, _ = MoodRating.objects.filter(patient=patient, day=day).delete()
    return deleted > 0


@transaction.atomic
def mood_ratings_import(*, patient: User, entries: Iterable[MoodRatingEntry]) -> int:
    """Add historic ratings in one go (demo data, a move from another system).

    Unlike :func:`mood_rating_record` there is no 14-day window, but scores, notes and the
    one-per-day rule are checked the same way, and no day may be in the patient's future.
    """
    today = patient.local_today()
    now = timezone.now()
    ratings = []
    for entry in entries:
        errors = _score_and_note_check(score=entry.score, note=entry.note)
        if entry.day > today:
            errors["date"] = [FUTURE_DAY_MESSAGE]
        if errors:
            raise ValidationError(errors)
        recorded_at = entry.recorded_at or now
        ratings.append(
            MoodRating(
                patient=patient,
                day=entry.day,
                score=entry.score,
                note=entry.note.strip(),
                recorded_at=recorded_at,
                updated_at=recorded_at,
            )
        )
    MoodRating.objects.bulk_create(ratings)
    return len(ratings)
