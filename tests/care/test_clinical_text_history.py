"""Clinical free text that staff write keeps its history: an amendment never overwrites
silently, the PWP sees "Edited" and the earlier wording, and nobody else sees either."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from care.models import Episode, SessionRecord
from clinician.services import session_record_save
from measures.services import questionnaire_response_record
from modules.models import Assignment
from modules.services import (
    assignment_start,
    exercise_answers_save,
    exercise_feedback_amend,
    exercise_feedback_give,
    modules_load,
)
from safety.models import RiskFlag
from safety.services import risk_flag_close

FIRST = "Low mood since the move; FIRST-WORDING-4411."
SECOND = "Low mood since the move; agreed activity diary."


def _record(episode: Episode, by: User, notes: str) -> SessionRecord:
    session = episode.appointments.get(number=1)
    with time_machine.travel(session.scheduled_at + datetime.timedelta(hours=1)):
        return session_record_save(
            appointment=session,
            by=by,
            attendance="attended",
            agenda="Review the week",
            notes=notes,
            tasks=[],
        )


def test_an_amended_session_note_shows_edited_and_the_earlier_wording_to_the_pwp(
    pwp_client: Client, pwp: User, episode: Episode
) -> None:
    _record(episode, pwp, FIRST)
    _record(episode, pwp, SECOND)
    brief = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert SECOND in brief
    assert "Edited" in brief
    assert FIRST in brief
    assert f"Written by {pwp.display_name}" in brief
    page = pwp_client.get(
        f"/clinician/patients/{episode.patient_id}/sessions/1/record/"
    ).content.decode()
    assert "Edited" in page
    assert FIRST in page


def test_the_history_of_a_session_note_carries_who_changed_it(
    pwp: User, service_admin: User, episode: Episode
) -> None:
    record = _record(episode, pwp, FIRST)
    _record(episode, service_admin, SECOND)
    versions = list(record.history.order_by("history_id"))
    assert [(version.notes, version.history_user) for version in versions] == [
        (FIRST, pwp),
        (SECOND, service_admin),
    ]


def test_saving_the_same_note_again_adds_no_version_and_is_not_edited(
    pwp_client: Client, pwp: User, episode: Episode
) -> None:
    record = _record(episode, pwp, FIRST)
    _record(episode, pwp, FIRST)
    assert record.history.count() == 1
    brief = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "Edited" not in brief


def test_the_navigator_never_sees_a_note_or_its_earlier_wording(
    navigator_client: Client, pwp: User, patient: User, episode: Episode
) -> None:
    _record(episode, pwp, FIRST)
    _record(episode, pwp, SECOND)
    for path in (
        "/navigator/",
        f"/navigator/patients/{patient.pk}/",
        f"/clinician/patients/{patient.pk}/",
        f"/clinician/patients/{patient.pk}/sessions/1/record/",
    ):
        response = navigator_client.get(path)
        page = response.content.decode()
        assert FIRST not in page, path
        assert SECOND not in page, path
        assert "Edited" not in page, path


def test_another_pwp_gets_404_for_the_amended_note(
    other_pwp_client: Client, pwp: User, patient: User, episode: Episode
) -> None:
    _record(episode, pwp, FIRST)
    _record(episode, pwp, SECOND)
    response = other_pwp_client.get(f"/clinician/patients/{patient.pk}/")
    assert response.status_code == 404
    assert FIRST not in response.content.decode()


def test_a_closed_flag_records_who_closed_it_and_is_not_shown_as_edited(
    pwp_client: Client, pwp: User, episode: Episode
) -> None:
    questionnaire_response_record(
        patient=episode.patient, instrument_code="phq9", answers=[0, 0, 0, 0, 0, 0, 0, 0, 1]
    )
    flag = RiskFlag.objects.get()
    risk_flag_close(flag=flag, by=pwp, note="Phoned, safety plan agreed.")
    latest = flag.history.latest()
    assert (latest.review_note, latest.history_user) == ("Phoned, safety plan agreed.", pwp)
    page = pwp_client.get(reverse("safety:flag-detail", args=[flag.pk])).content.decode()
    assert "Phoned, safety plan agreed." in page
    assert "Edited" not in page


@pytest.fixture
def exercise_response(episode: Episode):
    modules_load()
    assignment = Assignment.objects.get(episode=episode, module__slug="understanding-low-mood")
    assignment_start(assignment=assignment)
    return exercise_answers_save(
        assignment=assignment,
        exercise_key="my_low_mood_cycle",
        data={
            "when": "Sunday afternoon",
            "feelings": "Flat and tired",
            "thoughts": "What's the point",
            "what_i_did": "Stayed in bed",
            "mood_rating": "3",
        },
        finishing=True,
    )


def test_amended_exercise_feedback_keeps_the_earlier_wording_and_its_author(
    pwp: User, exercise_response, patient_client: Client
) -> None:
    feedback = exercise_feedback_give(by=pwp, response=exercise_response, text="Well noticed.")
    exercise_feedback_amend(by=pwp, feedback=feedback, text="Well noticed: try it again Friday.")
    versions = list(feedback.history.order_by("history_id"))
    assert [(version.text, version.history_user) for version in versions] == [
        ("Well noticed.", pwp),
        ("Well noticed: try it again Friday.", pwp),
    ]
    assert "try it again Friday" in patient_client.get("/me/").content.decode()


def test_another_pwp_cannot_amend_feedback(pwp: User, other_pwp: User, exercise_response) -> None:
    from django.core.exceptions import ValidationError

    feedback = exercise_feedback_give(by=pwp, response=exercise_response, text="Well noticed.")
    with pytest.raises(ValidationError):
        exercise_feedback_amend(by=other_pwp, feedback=feedback, text="Something else.")
    feedback.refresh_from_db()
    assert feedback.text == "Well noticed."
    assert feedback.history.count() == 1
