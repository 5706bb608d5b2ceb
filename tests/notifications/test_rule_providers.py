"""The module-nudge and questionnaire-due rules that the modules and measures apps provide."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from measures.selectors import episodes_with_questionnaire_due
from measures.services import questionnaire_response_record
from modules.models import Assignment
from modules.selectors import episodes_with_modules_not_started
from modules.services import assignment_start, modules_load
from notifications.registry import rule_for


def test_both_rules_are_active_once_their_providers_exist() -> None:
    assert rule_for("module_nudge") is not None
    assert rule_for("questionnaire_due") is not None


def test_an_open_module_not_started_is_due_and_starting_it_clears_it(episode) -> None:
    modules_load()
    today = timezone.localdate()
    assert episode.pk in episodes_with_modules_not_started(episode_days={episode.pk: today})
    for assignment in Assignment.objects.filter(episode=episode, active=True):
        if assignment.unlock_rule == "start" or assignment.position == 1:
            assignment_start(assignment=assignment)
    due = episodes_with_modules_not_started(episode_days={episode.pk: today})
    assert episode.pk not in due


def test_questionnaires_are_due_the_day_before_a_session_until_answered(episode) -> None:
    session = (
        episode.appointments.filter(scheduled_at__gte=timezone.now()).order_by("number").first()
    )
    assert session is not None
    day_before = timezone.localtime(session.scheduled_at).date() - datetime.timedelta(days=1)
    with time_machine.travel(timezone.localtime(session.scheduled_at) - datetime.timedelta(days=1)):
        assert episodes_with_questionnaire_due(episode_days={episode.pk: day_before}) == {
            episode.pk
        }
        questionnaire_response_record(
            patient=episode.patient, instrument_code="phq9", answers=[0] * 9
        )
        assert episodes_with_questionnaire_due(episode_days={episode.pk: day_before}) == {
            episode.pk
        }
        questionnaire_response_record(
            patient=episode.patient, instrument_code="gad7", answers=[0] * 7
        )
        if session.number in (3, 11):
            return  # the alliance is due as well at these sessions
        assert episodes_with_questionnaire_due(episode_days={episode.pk: day_before}) == set()


def test_questionnaires_are_not_due_days_before_a_session(episode) -> None:
    session = (
        episode.appointments.filter(scheduled_at__gte=timezone.now()).order_by("number").first()
    )
    assert session is not None
    far = timezone.localtime(session.scheduled_at).date() - datetime.timedelta(days=4)
    assert episodes_with_questionnaire_due(episode_days={episode.pk: far}) == set()


def test_rule_providers_run_a_fixed_number_of_queries(service, pwp) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PatientFactory, make_episode

    def queries_for(count: int) -> tuple[int, int]:
        episodes = [
            make_episode(
                patient=PatientFactory.create(service=service),
                pwp=pwp,
                service=service,
                started_on=timezone.localdate() - datetime.timedelta(days=6),
            )
            for _ in range(count)
        ]
        days = {episode.pk: timezone.localdate() for episode in episodes}
        with CaptureQueriesContext(connection) as questionnaire_queries:
            episodes_with_questionnaire_due(episode_days=days)
        with CaptureQueriesContext(connection) as module_queries:
            episodes_with_modules_not_started(episode_days=days)
        return len(questionnaire_queries), len(module_queries)

    assert queries_for(2) == queries_for(12)
