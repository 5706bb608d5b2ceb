from __future__ import annotations

import datetime
from statistics import mean

from django.core.management import call_command

from accounts.models import User
from moodlog.models import MoodRating


def snapshot() -> list[tuple[str, str, int, str]]:
    return sorted(
        (rating.patient.username, rating.day.isoformat(), rating.score, rating.note)
        for rating in MoodRating.objects.select_related("patient")
    )


def test_demo_ratings_are_realistic(db: None) -> None:
    call_command("seed_demo", patients=6, days=28, seed=7)
    patients = User.objects.filter(username__startswith="patient")
    for patient in patients:
        ratings = list(MoodRating.objects.filter(patient=patient))
        started = patient.episodes.get().started_on
        possible = (
            patient.local_today()
            - max(started, patient.local_today() - datetime.timedelta(days=27))
        ).days + 1
        assert 0 < len(ratings) <= possible
    total = MoodRating.objects.count()
    assert MoodRating.objects.exclude(note="").count() > 0
    assert MoodRating.objects.exclude(note="").count() < total / 2
    # The main demo patient has today left to rate.
    main = User.objects.get(username="patient")
    assert not MoodRating.objects.filter(patient=main, day=main.local_today()).exists()
    # The first patient after the main one who is two weeks in falls over the last week.
    falling = next(
        user
        for user in patients.exclude(username="patient").order_by("username")
        if (user.local_today() - user.episodes.get().started_on).days >= 14
    )
    today = falling.local_today()
    last_week = MoodRating.objects.filter(
        patient=falling, day__gt=today - datetime.timedelta(days=4)
    )
    before = MoodRating.objects.filter(
        patient=falling,
        day__lte=today - datetime.timedelta(days=7),
        day__gt=today - datetime.timedelta(days=14),
    )
    assert mean(r.score for r in last_week) < mean(r.score for r in before) - 1


def test_demo_ratings_are_the_same_for_the_same_seed(db: None) -> None:
    call_command("seed_demo", patients=4, days=20, seed=3)
    first = snapshot()
    assert first
    call_command("seed_demo", patients=4, days=20, seed=3, reset=True)
    assert snapshot() == first
