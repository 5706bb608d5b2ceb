from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from care.models import AgreedTask, AppointmentStatus, AuditEvent, SessionRecord
from clinician.models import BriefReview
from clinician.services import TaskInput, session_record_save


def test_opening_the_brief_is_audited(pwp_client, episode) -> None:
    response = pwp_client.get(f"/clinician/patients/{episode.patient_id}/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="brief.view", patient=episode.patient).count() == 1


def test_other_pwp_gets_404_for_the_brief(other_pwp_client, episode) -> None:
    assert other_pwp_client.get(f"/clinician/patients/{episode.patient_id}/").status_code == 404
    assert not AuditEvent.objects.filter(action="brief.view").exists()


def test_unknown_patient_gets_the_same_404(pwp_client, episode) -> None:
    assert pwp_client.get("/clinician/patients/999999/").status_code == 404


@pytest.mark.parametrize("persona", ["navigator_client", "patient_client"])
def test_wrong_role_cannot_open_the_brief(request, persona, episode) -> None:
    client = request.getfixturevalue(persona)
    assert client.get(f"/clinician/patients/{episode.patient_id}/").status_code == 403


def test_mark_as_reviewed_records_it_against_the_coming_session(pwp_client, episode) -> None:
    response = pwp_client.post(f"/clinician/patients/{episode.patient_id}/reviewed/")
    assert response.status_code == 302
    review = BriefReview.objects.get()
    assert review.appointment.status == AppointmentStatus.SCHEDULED
    assert review.appointment.scheduled_at >= timezone.now()
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "You marked this brief as reviewed" in page


def test_recording_a_session_sets_attendance_notes_and_tasks(pwp_client, episode) -> None:
    appointment = episode.appointments.get(number=2)
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/",
        {
            "attendance": "attended",
            "agenda": "Review diary",
            "notes": "Engaged well",
            "task": "Plan one walk\nRing a friend",
            "next_appointment_at": "",
        },
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED
    assert appointment.record.notes == "Engaged well"
    assert list(AgreedTask.objects.values_list("description", flat=True)) == [
        "Plan one walk",
        "Ring a friend",
    ]


def test_recording_a_session_moves_the_next_appointment(pwp_client, episode) -> None:
    pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/",
        {"attendance": "attended", "next_appointment_at": "2027-01-05 14:30"},
    )
    moved = episode.appointments.get(number=3).scheduled_at
    assert timezone.localtime(moved).strftime("%Y-%m-%d %H:%M") == "2027-01-05 14:30"


def test_session_record_without_attendance_shows_an_error_and_saves_nothing(
    pwp_client, episode
) -> None:
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/", {"notes": "x"}
    )
    assert response.status_code == 200
    assert "Choose whether the patient attended." in response.content.decode()
    assert not SessionRecord.objects.exists()
    assert episode.appointments.get(number=2).status == AppointmentStatus.SCHEDULED


def test_brief_shows_last_sessions_tasks(pwp_client, episode, pwp) -> None:
    session_one = episode.appointments.get(number=1)
    with time_machine.travel(session_one.scheduled_at + datetime.timedelta(hours=1)):
        session_record_save(
            appointment=session_one,
            by=pwp,
            attendance="attended",
            agenda="",
            notes="",
            tasks=[TaskInput(description="Fill in the activity diary")],
        )
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "Fill in the activity diary" in page


def test_session_guides_page_lists_every_session(pwp_client) -> None:
    page = pwp_client.get("/clinician/guides/").content.decode()
    assert "Session 1: Getting started together" in page
    assert "Session 11: Ending well" in page
    assert "digital navigator" in page.lower()


def test_demo_gives_the_pwp_recorded_sessions_and_messages(db) -> None:
    from django.core.management import call_command

    from care.models import Episode
    from clinician.models import Message

    call_command("seed_demo", patients=4, days=14, seed=3)
    episode = Episode.objects.get(patient__username="patient")
    assert SessionRecord.objects.filter(appointment__episode=episode).exists()
    assert AgreedTask.objects.filter(episode=episode).exists()
    assert Message.objects.filter(episode=episode, read_at__isnull=True).exists()
    assert episode.topics.exists()


def test_choose_together_adds_tasks_and_modules_to_the_programme(pwp_client, episode) -> None:
    from modules.models import Assignment, AssignmentChange
    from modules.services import modules_load

    modules_load()
    page = pwp_client.get(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/"
    ).content.decode()
    assert "Choose together" in page
    assert "Managing worry" in page or "managing-worry" in page
    in_programme = Assignment.objects.filter(episode=episode, active=True).values_list(
        "module__slug", flat=True
    )
    assert "long-term-conditions" not in in_programme
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/",
        {"attendance": "attended", "choose": ["activity-diary", "long-term-conditions"]},
    )
    assert response.status_code == 302
    tasks = AgreedTask.objects.filter(episode=episode).order_by("pk")
    assert [task.module_slug for task in tasks] == ["activity-diary", "long-term-conditions"]
    assert all(task.minutes_per_day for task in tasks)
    assert Assignment.objects.get(episode=episode, module__slug="long-term-conditions").active
    change = AssignmentChange.objects.get(assignment__module__slug="long-term-conditions")
    assert change.reason == "Chosen together at session 2"


def test_choosing_a_module_not_on_the_list_is_refused(pwp_client, episode) -> None:
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/",
        {"attendance": "attended", "choose": ["no-such-module"]},
    )
    assert response.status_code == 200
    assert "Choose modules from the list shown." in response.content.decode()
    assert not SessionRecord.objects.exists()


def test_patient_sees_the_tasks_chosen_together(pwp_client, patient_client, episode) -> None:
    from modules.services import modules_load

    modules_load()
    pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/1/record/",
        {"attendance": "attended", "choose": ["activity-diary"], "task": "Walk to the shop"},
    )
    home = patient_client.get("/me/").content.decode()
    assert "Your plan for this week" in home
    assert "Walk to the shop" in home
    assert "Work on “" in home or "Work on &ldquo;" in home or "Work on" in home


def test_a_session_still_to_come_cannot_be_recorded_as_attended(pwp_client, episode) -> None:
    future = episode.appointments.get(number=5)
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/5/record/", {"attendance": "attended"}
    )
    assert response.status_code == 200
    assert "You can record it from that day" in response.content.decode()
    future.refresh_from_db()
    assert future.status == AppointmentStatus.SCHEDULED
    assert not SessionRecord.objects.exists()


def test_a_session_still_to_come_can_be_cancelled(pwp_client, episode) -> None:
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/sessions/5/record/", {"attendance": "cancelled"}
    )
    assert response.status_code == 302
    assert episode.appointments.get(number=5).status == AppointmentStatus.CANCELLED


def test_brief_offers_to_record_the_session_that_has_happened(pwp_client, episode) -> None:
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "Record session 2" in page or "Record session 3" in page
