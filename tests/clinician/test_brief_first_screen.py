"""The brief's first screen says what changed since the last session, or that nothing did; a
session can be recorded from its day; the caseload ranks low mood, an alliance gap and
overdue questionnaires, and marks the briefs already reviewed."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from care.models import AppointmentStatus
from clinician.caseload import caseload_build
from clinician.services import brief_mark_reviewed, message_send
from measures.services import alliance_rating_record, questionnaire_response_record
from moodlog.services import MoodRatingEntry, mood_ratings_import
from tests.factories import PatientFactory, make_episode


def _brief(client, episode) -> str:
    return client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()


def _moods(patient, scores_back: dict[int, int]) -> None:
    today = patient.local_today()
    mood_ratings_import(
        patient=patient,
        entries=[
            MoodRatingEntry(day=today - datetime.timedelta(days=back), score=score)
            for back, score in scores_back.items()
        ],
    )


def test_a_quiet_fortnight_says_nothing_new_in_one_line(pwp_client, episode) -> None:
    page = _brief(pwp_client, episode)
    assert "Nothing new: no mood ratings, answers, module work or messages." in page
    assert "nothing added" in page


def test_the_first_screen_lists_scores_with_their_crossings(pwp_client, episode) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30)):
        questionnaire_response_record(
            patient=episode.patient, instrument_code="phq9", answers=[2] * 9
        )
    questionnaire_response_record(patient=episode.patient, instrument_code="phq9", answers=[1] * 9)
    page = _brief(pwp_client, episode)
    assert "PHQ-9 9 (from 18), now below caseness, reliable improvement" in page


def test_the_first_screen_shows_the_patients_topics_and_the_mood_line(pwp_client, episode) -> None:
    from clinician.services import patient_topic_set

    coming = episode.appointments.filter(status=AppointmentStatus.SCHEDULED).order_by("number")
    upcoming = next(a for a in coming if a.scheduled_at > timezone.now())
    patient_topic_set(episode=episode, appointment=upcoming, text="My sleep is still not right.")
    _moods(episode.patient, {0: 3, 1: 4})
    page = _brief(pwp_client, episode)
    assert "topics:</strong> &ldquo;My sleep is still not right.&rdquo;" in page
    assert "<strong>Mood</strong> 3.5 of 10" in page


def test_the_alliance_gap_is_on_the_first_screen(pwp_client, pwp, episode) -> None:
    questionnaire_response_record(
        patient=episode.patient, instrument_code="alliance-check", answers=[4, 2, 5, 4]
    )
    alliance_rating_record(pwp=pwp, episode=episode, answers=[4, 4, 5, 4])
    page = _brief(pwp_client, episode)
    assert "Alliance gap:</strong> agreement on tasks (patient 2, you 4)." in page


def test_a_session_can_be_recorded_from_its_day(pwp_client, episode) -> None:
    later_today = timezone.now() + datetime.timedelta(minutes=30)
    session = episode.appointments.get(number=3)
    session.scheduled_at = later_today
    session.save(update_fields=["scheduled_at"])
    assert "Record session 3" in _brief(pwp_client, episode)
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/3/record/",
        {"attendance": "attended", "notes": "Seen early"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == AppointmentStatus.ATTENDED


def test_the_session_form_says_where_things_go(pwp_client, episode) -> None:
    page = pwp_client.get(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/"
    ).content.decode()
    assert "Your plan for this week" in page
    assert "Last session: notes and tasks" in page


def test_the_brief_keeps_the_last_four_scores_and_shows_all_on_request(pwp_client, episode) -> None:
    for days_ago in (40, 30, 20, 10, 1):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago)):
            questionnaire_response_record(
                patient=episode.patient, instrument_code="gad7", answers=[1] * 7
            )
    assert "The last 4 of 5 scores" in _brief(pwp_client, episode)
    everything = pwp_client.get(
        f"/clinician/patients/{episode.patient_id}/?scores=all"
    ).content.decode()
    assert "All 5 scores" in everything


def _patient(service, pwp, name: str):
    patient = PatientFactory.create(username=name, first_name=name.title(), service=service)
    return make_episode(patient=patient, pwp=pwp, service=service)


def test_a_low_mood_level_ranks_above_unread_messages(service, pwp) -> None:
    low = _patient(service, pwp, "low")
    messages = _patient(service, pwp, "messages")
    _moods(low.patient, dict.fromkeys(range(7), 2) | dict.fromkeys(range(7, 14), 3))
    _moods(messages.patient, {0: 6, 1: 6})
    message_send(episode=messages, sender=messages.patient, body="Hello")
    rows = caseload_build(staff=pwp, now=timezone.now())
    assert [row.patient.username for row in rows][:2] == ["low", "messages"]
    assert ("Low mood: 2.0 of 10 this week", "orange") in rows[0].reasons


def test_an_alliance_gap_and_overdue_questionnaires_are_reasons(service, pwp) -> None:
    gap = _patient(service, pwp, "gap")
    questionnaire_response_record(
        patient=gap.patient, instrument_code="alliance-check", answers=[4, 1, 5, 4]
    )
    alliance_rating_record(pwp=pwp, episode=gap, answers=[4, 4, 5, 4])
    overdue = _patient(service, pwp, "overdue")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=12)):
        questionnaire_response_record(
            patient=overdue.patient, instrument_code="phq9", answers=[0] * 9
        )
    rows = {row.patient.username: row for row in caseload_build(staff=pwp, now=timezone.now())}
    assert "Alliance gap: you and the patient differ" in [label for label, _ in rows["gap"].reasons]
    assert not rows["overdue"].questionnaires_overdue
    later = timezone.now() + datetime.timedelta(days=3)
    rows = {row.patient.username: row for row in caseload_build(staff=pwp, now=later)}
    assert rows["overdue"].questionnaires_overdue
    assert "Questionnaires overdue (14+ days)" in [label for label, _ in rows["overdue"].reasons]


def test_the_caseload_marks_a_brief_reviewed_for_the_coming_session(
    pwp_client, pwp, episode
) -> None:
    page = pwp_client.get("/clinician/").content.decode()
    assert "Brief reviewed" not in page
    coming = (
        episode.appointments.filter(
            status=AppointmentStatus.SCHEDULED, scheduled_at__gt=timezone.now()
        )
        .order_by("number")
        .first()
    )
    brief_mark_reviewed(appointment=coming, by=pwp)
    page = pwp_client.get("/clinician/").content.decode()
    assert "Brief reviewed" in page
    assert "1 low to 10 good" in page
