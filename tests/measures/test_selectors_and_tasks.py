from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from measures.selectors import latest_scores_for_episodes
from measures.services import questionnaire_response_record
from tests import factories


def test_latest_scores_for_a_caseload_in_one_query(
    service, pwp, django_assert_max_num_queries
) -> None:
    now = timezone.now()
    episodes = []
    for number in range(4):
        patient = factories.PatientFactory.create(service=service)
        episode = factories.make_episode(patient=patient, pwp=pwp, service=service)
        episodes.append(episode)
        for week, total in enumerate([18, 12][: number % 3]):
            answers = [0] * 9
            for index in range(total):
                answers[index % 8] += 1
            questionnaire_response_record(
                patient=patient,
                instrument_code="phq9",
                answers=answers,
                now=now - datetime.timedelta(days=14 - 7 * week),
            )
    ids = [episode.pk for episode in episodes]
    with django_assert_max_num_queries(1):
        latest = latest_scores_for_episodes(episode_ids=ids)
    assert latest[ids[0]] == {}
    assert (latest[ids[1]]["phq9"].total, latest[ids[1]]["phq9"].change) == (18, None)
    second = latest[ids[2]]["phq9"]
    assert (second.total, second.severity, second.change) == (12, "Moderate", -6)
    assert "gad7" not in latest[ids[2]]


def test_escalation_sweep_is_on_the_beat_schedule_and_registered() -> None:
    from bcbt.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["safety-escalate-overdue-risk-flags"]
    assert entry["task"] == "safety.tasks.risk_flags_escalate"
    app.loader.import_default_modules()
    assert "safety.tasks.risk_flags_escalate" in app.tasks
