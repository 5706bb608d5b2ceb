"""The brief's sections from the other apps: exercises, feedback, questionnaires, risk flags."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from measures.services import questionnaire_response_record
from modules.models import Assignment, ExerciseFeedback
from modules.services import (
    assignment_start,
    exercise_answers_save,
    exercise_discussion_set,
    modules_load,
)
from notifications.models import Notification, NotificationKind

ANSWERS = {
    "when": "Sunday afternoon",
    "feelings": "Flat and tired",
    "thoughts": "What's the point",
    "what_i_did": "Stayed in bed",
    "mood_rating": "3",
}


@pytest.fixture
def marked_response(episode):
    modules_load()
    assignment = Assignment.objects.get(episode=episode, module__slug="understanding-low-mood")
    assignment_start(assignment=assignment)
    response = exercise_answers_save(
        assignment=assignment, exercise_key="my_low_mood_cycle", data=ANSWERS, finishing=True
    )
    return exercise_discussion_set(response=response, wanted=True)


def test_brief_shows_exercises_marked_for_discussion_with_answers(
    pwp_client, marked_response, episode
) -> None:
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "My low mood cycle" in page
    assert "Stayed in bed" in page


def test_pwp_feedback_reaches_the_patient_and_notifies_them(
    pwp_client, patient_client, marked_response, episode
) -> None:
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/exercises/{marked_response.pk}/feedback/",
        {"text": "You noticed the link between staying in bed and feeling flat. Well done."},
    )
    assert response.status_code == 302
    assert ExerciseFeedback.objects.count() == 1
    notification = Notification.objects.get(
        recipient=episode.patient, kind=NotificationKind.MESSAGE_RECEIVED
    )
    assert "Well done" not in notification.body
    home = patient_client.get("/me/").content.decode()
    assert "Feedback from your therapist" in home
    assert "You noticed the link" in home


def test_empty_feedback_is_refused_and_nothing_is_saved(
    pwp_client, marked_response, episode
) -> None:
    pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/exercises/{marked_response.pk}/feedback/",
        {"text": "  "},
    )
    assert not ExerciseFeedback.objects.exists()


def test_other_pwp_cannot_give_feedback(other_pwp_client, marked_response, episode) -> None:
    response = other_pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/exercises/{marked_response.pk}/feedback/",
        {"text": "hello"},
    )
    assert response.status_code == 404
    assert not ExerciseFeedback.objects.exists()


def test_feedback_on_another_patients_exercise_is_404(
    pwp_client, marked_response, episode, other_episode
) -> None:
    # The PWP's own patient id in the URL, but the exercise belongs to someone else's episode.
    other_assignment = Assignment.objects.filter(episode=other_episode).first()
    assert other_assignment is not None
    response = pwp_client.post(
        f"/clinician/patients/{other_episode.patient_id}/exercises/{marked_response.pk}/feedback/",
        {"text": "hello"},
    )
    assert response.status_code == 404


def test_brief_shows_scores_with_caseness_and_reliable_change(pwp_client, episode) -> None:
    start = timezone.now() - datetime.timedelta(days=20)
    with time_machine.travel(start):
        questionnaire_response_record(
            patient=episode.patient, instrument_code="phq9", answers=[2] * 9
        )
    questionnaire_response_record(patient=episode.patient, instrument_code="phq9", answers=[1] * 9)
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "18 of 27 (case)" in page
    assert "-9 since the first (reliable improvement)" in page
    assert "<svg" in page
    assert "Questionnaire scores over time" in page


def test_brief_puts_an_open_risk_flag_first(pwp_client, episode) -> None:
    questionnaire_response_record(
        patient=episode.patient, instrument_code="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 1]
    )
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "Open risk flag" in page
    # The reason is on the first screen: the item and the answer.
    assert "PHQ-9 question 9: &quot;Several days&quot;" in page
    assert page.index("Open risk flag") < page.index("Since ") < page.index("Mark as reviewed")


def test_brief_runs_a_constant_number_of_queries(
    pwp_client, episode, django_assert_max_num_queries
) -> None:
    def count_for_brief() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert pwp_client.get(f"/clinician/patients/{episode.patient_id}/").status_code == 200
        return len(context.captured_queries)

    count_for_brief()  # the first request of a browser session records the session
    few = count_for_brief()
    for days_ago in range(1, 30, 3):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago)):
            questionnaire_response_record(
                patient=episode.patient, instrument_code="gad7", answers=[1] * 7
            )
    many = count_for_brief()
    assert many == few
    with django_assert_max_num_queries(40):
        pwp_client.get(f"/clinician/patients/{episode.patient_id}/")


def test_navigator_sees_no_exercise_answers(
    navigator_client: Client, marked_response, episode
) -> None:
    assert navigator_client.get(f"/clinician/patients/{episode.patient_id}/").status_code == 403
    assert "Stayed in bed" not in navigator_client.get("/navigator/").content.decode()


def test_brief_shows_mood_since_the_last_session_with_missed_days_and_change(
    pwp_client, episode
) -> None:
    from moodlog.services import MoodRatingEntry, mood_ratings_import

    patient = episode.patient
    today = patient.local_today()
    entries = [
        MoodRatingEntry(
            day=today - datetime.timedelta(days=back),
            score=7,
            note="Better day" if back == 1 else "",
        )
        for back in range(5)
    ]
    entries += [
        MoodRatingEntry(day=today - datetime.timedelta(days=back), score=4) for back in range(7, 14)
    ]
    mood_ratings_import(patient=patient, entries=entries)
    # The last session was a week ago, so the brief covers the 8 days since it (6 rated: five
    # 7s and one 4) and compares them with the 8 days before (six 4s).
    session_two = episode.appointments.get(number=2)
    session_two.status = "attended"
    session_two.scheduled_at = timezone.localtime() - datetime.timedelta(days=7)
    session_two.save(update_fields=["status", "scheduled_at"])
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "6.5 of 10, up 2.5; rated 6 of 8 days" in page
    assert "Better day" in page
    assert (
        "Line chart of the patient&#x27;s mood" in page
        or "Line chart of the patient's mood" in page
    )


def test_brief_shows_the_navigators_notes(pwp_client, episode, navigator) -> None:
    from accounts.models import NavigatorNote

    NavigatorNote.objects.create(
        patient=episode.patient,
        episode=episode,
        author=navigator,
        text="Reset password by phone; all working.",
    )
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "Notes from the digital navigator" in page
    assert "Reset password by phone" in page
