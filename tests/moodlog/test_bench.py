"""The mood benchmark still runs (a very short run; the figures themselves come from make bench)."""

from __future__ import annotations

import pytest

from bench import mood
from bench.__main__ import BENCHMARKS
from moodlog.models import MoodRating


@pytest.mark.django_db
def test_the_mood_benchmark_compares_like_with_like() -> None:
    mood_side, bare_side = mood.measure(seconds=0.2, patients_per_side=2)
    assert mood_side.requests > 0
    assert bare_side.requests > 0
    assert mood_side.failures == 0
    assert bare_side.failures == 0
    # Every request of both sides created one rating, warm-up included.
    warm_up = 2 * min(mood.WARM_UP_REQUESTS, 2 * 15)
    assert MoodRating.objects.count() == mood_side.requests + bare_side.requests + warm_up


def test_the_mood_benchmark_is_listed() -> None:
    assert "mood" in BENCHMARKS
