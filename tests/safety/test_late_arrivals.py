"""Hazard H12: answers written offline arrive late. Whenever they arrive they are taken, flagged
at arrival, and the review clock starts then (not at the moment they were written)."""

from __future__ import annotations

import datetime
import zoneinfo

import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from care.models import EpisodeStatus
from care.services import episode_end
from safety.models import RiskFlag, RiskFlagSourceKind

LONDON = zoneinfo.ZoneInfo("Europe/London")
FLAGGED = [0, 1, 0, 1, 0, 1, 0, 1, 1]


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_questionnaire_sent_late_from_a_phone_is_flagged_when_it_arrives(
    episode, patient
) -> None:
    # Answered offline on Friday evening; the phone reconnects on Monday at 10:00.
    arrival = at(2026, 3, 9, 10)
    with time_machine.travel(arrival, tick=False):
        response = api_for(patient).post(
            "/api/v1/questionnaires/phq9/responses/",
            {"answers": FLAGGED},
            format="json",
            HTTP_IDEMPOTENCY_KEY="offline-phq9-1",
        )
    assert response.status_code == 201
    assert "116 123" in str(response.json()["signposting"])
    flag = RiskFlag.objects.get()
    assert flag.created_at == arrival
    # The review clock starts at arrival: one working day from Monday 10:00.
    assert flag.review_due_at == at(2026, 3, 10, 10)


def test_a_mood_note_for_an_earlier_day_raises_its_flag_when_it_arrives(episode, patient) -> None:
    arrival = at(2026, 3, 9, 10)
    with time_machine.travel(arrival, tick=False):
        response = api_for(patient).put(
            "/api/v1/mood/2026-03-06/",
            {"score": 2, "note": "Friday night I wanted to end it all"},
            format="json",
        )
    assert response.status_code == 201
    flag = RiskFlag.objects.get()
    assert flag.source_kind == RiskFlagSourceKind.MOOD_NOTE
    assert (flag.created_at, flag.review_due_at) == (arrival, at(2026, 3, 10, 10))


def test_a_late_answer_after_treatment_ended_still_shows_the_crisis_numbers(
    episode, patient
) -> None:
    episode_end(
        episode=episode, status=EpisodeStatus.COMPLETED, ended_on=timezone.localdate(), by=None
    )
    response = api_for(patient).post(
        "/api/v1/questionnaires/phq9/responses/", {"answers": FLAGGED}, format="json"
    )
    assert response.status_code == 409
    assert "116 123" in response.json()["detail"]
    assert "999" in response.json()["detail"]
