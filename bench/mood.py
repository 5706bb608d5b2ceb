"""Mood write throughput: PUT /api/v1/mood/{date}/ against a bare DRF endpoint doing the same
single insert, in the same process, database, cache and settings, in the same run.

Both sides go through the whole Django stack in process (Django's test client, no network):
middleware, DRF with the project's token authentication and JSON renderer. The bare endpoint
does nothing else: no validation, no rate limit, no upsert, one INSERT. Every request of both
sides creates a new rating (a new patient and day), and the two sides take turns in short
rounds (A B B A ...) so that a busy machine slows both alike.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import token_hash
from accounts.models import DeviceToken, Role, User
from moodlog.models import MoodRating
from moodlog.services import MOOD_CHANGE_WINDOW_DAYS

GOAL = 0.6
ROUNDS = 4
WARM_UP_REQUESTS = 20


@api_view(["PUT"])
def bare_mood_insert(request: Request, date: str) -> Response:
    """The baseline: the same row as a mood write, inserted with no checks at all."""
    payload: dict[str, Any] = request.data  # type: ignore[assignment]
    patient = request.user
    assert isinstance(patient, User)
    rating = MoodRating.objects.create(
        patient=patient,
        day=datetime.date.fromisoformat(date),
        score=payload["score"],
    )
    return Response({"id": rating.pk}, status=201)


@dataclass
class Side:
    name: str
    url: str
    slots: list[tuple[str, str]]  # (authorization header, path), each a new rating
    requests: int = 0
    seconds: float = 0.0
    failures: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _patients(count: int, prefix: str) -> list[str]:
    """Create ``count`` patients with a device token each; returns their Authorization headers."""
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"{prefix}{number}", role=Role.PATIENT, password=password)
        for number in range(count)
    )
    now = timezone.now()
    keys = [f"bench-{prefix}-{user.pk}-{number}" for number, user in enumerate(users)]
    # Last used "now", so that neither side pays for the once-a-minute last-use update.
    DeviceToken.objects.bulk_create(
        DeviceToken(
            user=user,
            name="bench",
            key_hash=token_hash(key),
            expires_at=now + datetime.timedelta(days=1),
            last_used_at=now,
        )
        for user, key in zip(users, keys, strict=True)
    )
    # A new database numbers users from 1 again: forget rate-limit counters of an earlier run.
    window = math.floor(time.time() / 60)
    cache.delete_many(
        [
            f"throttle_mood_write_{user.pk}_{minute}"
            for user in users
            for minute in (window, window + 1)
        ]
    )
    return [f"Token {key}" for key in keys]


def _side(name: str, url: str, headers: list[str], today: datetime.date) -> Side:
    days = [today - datetime.timedelta(days=back) for back in range(MOOD_CHANGE_WINDOW_DAYS + 1)]
    slots = [(header, url.format(date=day.isoformat())) for day in days for header in headers]
    return Side(name=name, url=url, slots=slots)


def _drive(
    client: Client, side: Side, seconds: float, *, limit: int | None = None, count: bool = True
) -> None:
    """Send writes for ``seconds``, or ``limit`` of them, or until the side runs out of new
    (patient, day) pairs."""
    body = json.dumps({"score": 6})
    started = time.perf_counter()
    deadline = started + seconds
    sent = 0
    while side.slots and time.perf_counter() < deadline and (limit is None or sent < limit):
        authorization, path = side.slots.pop()
        response = client.put(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=authorization
        )
        if response.status_code != 201:
            side.failures += 1
        sent += 1
    if count:
        side.requests += sent
        side.seconds += time.perf_counter() - started


def measure(*, seconds: float, patients_per_side: int) -> tuple[Side, Side]:
    """Run both sides for about ``seconds`` each and return their figures."""
    User.objects.filter(username__startswith="bench-").delete()
    today = timezone.localdate()
    mood = _side(
        "Mood write (PUT /api/v1/mood/{date}/)",
        "/api/v1/mood/{date}/",
        _patients(patients_per_side, "bench-mood-"),
        today,
    )
    bare = _side(
        "Bare DRF insert (same row, no checks)",
        "/api/bench/mood/{date}/",
        _patients(patients_per_side, "bench-bare-"),
        today,
    )
    with override_settings(
        ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"]
    ):
        client = Client()
        # Warm up both (imports, caches, connections) before the clock starts.
        for side in (mood, bare):
            _drive(client, side, seconds=60, limit=WARM_UP_REQUESTS, count=False)
        share = seconds / ROUNDS
        for round_number in range(ROUNDS):
            order = (mood, bare) if round_number % 2 == 0 else (bare, mood)
            for side in order:
                _drive(client, side, share)
    return mood, bare


def run() -> None:
    seconds = float(os.environ.get("BCBT_BENCH_SECONDS", "4"))
    # Enough new (patient, day) pairs that neither side runs out within the time.
    patients = int(os.environ.get("BCBT_BENCH_PATIENTS", "400"))
    mood, bare = measure(seconds=seconds, patients_per_side=patients)
    print("Mood write throughput against a bare DRF insert")
    for side in (mood, bare):
        print(
            f"  {side.name:40} {side.requests:6d} requests in {side.seconds:5.2f} s"
            f" = {side.per_second:7.1f} per second"
            + (f"  ({side.failures} failed)" if side.failures else "")
        )
    ratio = mood.per_second / bare.per_second if bare.per_second else 0.0
    verdict = "meets" if ratio >= GOAL else "BELOW"
    print(f"  Ratio {ratio:.2f} ({verdict} the goal of {GOAL:.2f} or more)")
    if mood.failures or bare.failures:
        raise SystemExit("Some benchmark requests failed; the figures above are not valid.")
