"""Demo mood ratings: most patients slowly improving, some steady, one falling in the last week,
one low all along, with missed days and a few short notes. Drawn from ``context.rng`` only, so a
seed repeats."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from moodlog.models import MOOD_SCORE_MAX, MOOD_SCORE_MIN
from moodlog.services import MoodRatingEntry, mood_ratings_import

if TYPE_CHECKING:
    from care.demo import DemoContext
    from care.models import Episode

NOTES = (
    "Slept badly.",
    "Went for a walk.",
    "Saw a friend for coffee.",
    "Tired after work.",
    "Good day at work.",
    "Felt flat most of the day.",
    "Did my activity plan.",
    "Stayed in bed late.",
    "Busy but OK.",
    "Cooked a proper meal.",
    "Worried about money.",
    "Went to the shops.",
)
MISSED_DAY_CHANCE = 0.15
NOTE_CHANCE = 0.2
LAPSED_DAYS = 9
# The low-mood patient never rates above this.
LOW_MOOD_TOP = 3


def seed(context: DemoContext) -> None:
    if not context.episodes:
        return
    # One patient whose mood falls over the last week, for the PWP's view to pick up: the first
    # after the main demo patient (whose page should look like a usual week) who is at least
    # two weeks in, so that there is a week before the fall to compare with.
    falling = next(
        (
            episode
            for episode in context.episodes[1:]
            if (episode.patient.local_today() - episode.started_on).days >= 14
        ),
        None,
    )
    # And one who stopped rating nine days ago, so the caseload shows someone who has gone quiet.
    lapsed = next(
        (
            episode
            for episode in reversed(context.episodes[1:])
            if episode is not falling
            and episode.pwp_id == context.episodes[0].pwp_id
            and (episode.patient.local_today() - episode.started_on).days >= 21
        ),
        None,
    )
    # And one whose mood has stayed low (2 or 3 out of 10) all along, for the caseload to rank
    # by its level even though it is not falling: the PWP's first such patient after the main one.
    low = next(
        (
            episode
            for episode in context.episodes[1:]
            if episode is not falling
            and episode is not lapsed
            and episode.pwp_id == context.episodes[0].pwp_id
            and (episode.patient.local_today() - episode.started_on).days >= 7
        ),
        None,
    )
    for position, episode in enumerate(context.episodes):
        trend = (
            "falling"
            if episode is falling
            else "lapsed"
            if episode is lapsed
            else "low"
            if episode is low
            else context.rng.choice(["improving", "improving", "improving", "steady"])
        )
        # Leave today open for the main demo patient, so that rating today can be tried.
        _seed_episode(context, episode, trend=trend, rate_today=position != 0)


def _seed_episode(context: DemoContext, episode: Episode, *, trend: str, rate_today: bool) -> None:
    rng = context.rng
    patient = episode.patient
    today = patient.local_today()
    first = max(episode.started_on, today - datetime.timedelta(days=context.days - 1))
    span = (today - first).days + 1
    start_level = rng.uniform(2.5, 4.5)
    gain = rng.uniform(2.0, 4.0) if trend in ("improving", "falling") else rng.uniform(-0.5, 0.8)
    entries = []
    for index in range(span):
        day = first + datetime.timedelta(days=index)
        days_back = (today - day).days
        if rng.random() < MISSED_DAY_CHANCE or (days_back == 0 and not rate_today):
            continue
        if trend == "lapsed" and days_back < LAPSED_DAYS:
            continue
        level = start_level + gain * index / max(span - 1, 1)
        if trend == "falling" and days_back < 7:
            level -= (7 - days_back) * 0.9
        score = min(MOOD_SCORE_MAX, max(MOOD_SCORE_MIN, round(level + rng.gauss(0, 0.9))))
        if trend == "low":
            score = min(LOW_MOOD_TOP, max(MOOD_SCORE_MIN + 1, round(2.3 + rng.gauss(0, 0.5))))
        note = rng.choice(NOTES) if rng.random() < NOTE_CHANCE else ""
        evening = datetime.datetime.combine(
            day, datetime.time(rng.randint(18, 21), rng.randint(0, 59)), tzinfo=patient.zone
        )
        entries.append(
            MoodRatingEntry(day=day, score=score, note=note, recorded_at=min(evening, context.now))
        )
    mood_ratings_import(patient=patient, entries=entries)
