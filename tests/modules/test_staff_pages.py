"""The PWP's pages: library, preview as patient, and tailoring a patient's programme."""

from __future__ import annotations

import pytest
from django.urls import reverse

from care.models import AuditEvent
from modules.models import AssignmentChange, ChangeKind
from modules.services import assignment_start, exercise_answers_save
from tests.modules.conftest import assignment_for


def programme_url(episode, action: str = "") -> str:
    name = f"modules:programme-{action}" if action else "modules:patient-programme"
    return reverse(name, args=[episode.patient_id])


def test_library_lists_every_module_with_a_preview(
    pwp_client, django_assert_max_num_queries
) -> None:
    # The first request of a browser session records the session; measure a later one.
    pwp_client.get(reverse("modules:library"))
    with django_assert_max_num_queries(6):
        page = pwp_client.get(reverse("modules:library")).content.decode()
    assert "Depression pathway" in page
    assert "Add-on" in page
    assert page.count("Preview as patient") == 12


def test_preview_shows_the_patient_page_with_the_pwp_guide_beside_it(pwp_client) -> None:
    url = reverse("modules:preview", args=["unhelpful-thoughts"])
    page = pwp_client.get(url).content.decode()
    assert "Thoughts are not facts" in page
    assert "PWP guide" in page
    assert "Common sticking points" in page
    exercise = pwp_client.get(url + "?step=4").content.decode()
    assert "My thought record" in exercise
    assert "disabled" in exercise


@pytest.mark.parametrize("persona", ["patient_client", "navigator_client"])
def test_library_and_preview_are_for_clinical_staff_only(request, persona) -> None:
    client = request.getfixturevalue(persona)
    assert client.get(reverse("modules:library")).status_code == 403
    assert client.get(reverse("modules:preview", args=["better-sleep"])).status_code == 403


def test_pwp_sees_their_patients_programme_and_the_read_is_audited(
    pwp_client, episode, pwp
) -> None:
    page = pwp_client.get(programme_url(episode)).content.decode()
    assert "Understanding low mood" in page
    assert "Tailor the programme" in page
    event = AuditEvent.objects.get(action="modules.programme.view")
    assert event.actor == pwp
    assert event.patient == episode.patient


def test_staff_programme_page_queries_do_not_grow_with_changes(
    pwp_client, episode, django_assert_max_num_queries
) -> None:
    pwp_client.get(programme_url(episode))
    with django_assert_max_num_queries(14) as before:
        pwp_client.get(programme_url(episode))
    # Count now: every request clears Django's query log.
    baseline = len(before.captured_queries)
    for slug in ("better-sleep", "problem-solving", "staying-well"):
        pwp_client.post(
            programme_url(episode, "waive"),
            {"waive-assignment": assignment_for(episode, slug).pk, "waive-reason": "Not needed"},
        )
    with django_assert_max_num_queries(baseline):
        pwp_client.get(programme_url(episode))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_pwp_client", 404), ("navigator_client", 403), ("patient_client", 403)],
)
def test_only_the_patients_own_clinicians_can_see_or_tailor_it(
    request, episode, persona, status
) -> None:
    client = request.getfixturevalue(persona)
    sleep = assignment_for(episode, "better-sleep")
    assert client.get(programme_url(episode)).status_code == status
    response = client.post(
        programme_url(episode, "waive"),
        {"waive-assignment": sleep.pk, "waive-reason": "Not needed"},
    )
    assert response.status_code == status
    assert not AssignmentChange.objects.exists()
    url = reverse("modules:assignment-answers", args=[episode.patient_id, sleep.pk])
    assert client.get(url).status_code == status


def test_pwp_waives_a_module_with_a_reason_and_can_undo_it(pwp_client, episode) -> None:
    sleep = assignment_for(episode, "better-sleep")
    response = pwp_client.post(
        programme_url(episode, "waive"),
        {"waive-assignment": sleep.pk, "waive-reason": "Sleeping well again."},
    )
    assert response.status_code == 302
    change = AssignmentChange.objects.get()
    assert (change.kind, change.reason) == (ChangeKind.WAIVED, "Sleeping well again.")
    page = pwp_client.get(programme_url(episode)).content.decode()
    assert "Waived “Sleeping better”" in page
    assert "Sleeping well again." in page
    pwp_client.post(reverse("modules:change-undo", args=[episode.patient_id, change.pk]))
    assert assignment_for(episode, "better-sleep").waived_at is None
    assert "(undone)" in pwp_client.get(programme_url(episode)).content.decode()


def test_waiving_without_a_reason_is_refused_with_a_message(pwp_client, episode) -> None:
    response = pwp_client.post(
        programme_url(episode, "waive"),
        {"waive-assignment": assignment_for(episode, "better-sleep").pk, "waive-reason": ""},
    )
    assert response.status_code == 400
    assert "Please give a reason. The patient will see it." in response.content.decode()
    assert not AssignmentChange.objects.exists()


def test_waiving_where_the_service_forbids_it_is_refused_with_a_clear_message(
    pwp_client, episode, waiving_refused
) -> None:
    page = pwp_client.get(programme_url(episode)).content.decode()
    assert "does not let PWPs waive mandatory modules" in page
    response = pwp_client.post(
        programme_url(episode, "waive"),
        {"waive-assignment": assignment_for(episode, "better-sleep").pk, "waive-reason": "No"},
    )
    assert response.status_code == 400
    assert "does not let PWPs waive mandatory modules" in response.content.decode()
    assert assignment_for(episode, "better-sleep").waived_at is None


def test_pwp_adds_reorders_and_sets_an_aim(pwp_client, episode) -> None:
    from modules.models import Module

    module = Module.objects.get(slug="long-term-conditions")
    assert (
        pwp_client.post(
            programme_url(episode, "add"),
            {"add-module": module.pk, "add-reason": "Pacing may help"},
        ).status_code
        == 302
    )
    worry = assignment_for(episode, "managing-worry")
    assert (
        pwp_client.post(
            programme_url(episode, "move"),
            {"move-assignment": worry.pk, "move-position": 1, "move-reason": "Worry comes first"},
        ).status_code
        == 302
    )
    assert (
        pwp_client.post(
            programme_url(episode, "aim"),
            {"aim-assignment": worry.pk, "aim-session": 3, "aim-reason": "Before session 3"},
        ).status_code
        == 302
    )
    worry.refresh_from_db()
    assert (worry.position, worry.aim_session) == (1, 3)
    assert assignment_for(episode, "long-term-conditions").mandatory is False
    assert AssignmentChange.objects.count() == 3
    assert AuditEvent.objects.filter(action__startswith="modules.assignment.").count() == 3


def test_adding_a_module_already_in_the_programme_is_refused(pwp_client, episode) -> None:
    from modules.models import Module

    module = Module.objects.get(slug="managing-worry")
    response = pwp_client.post(
        programme_url(episode, "add"), {"add-module": module.pk, "add-reason": "Again"}
    )
    assert response.status_code == 400
    assert not AssignmentChange.objects.exists()


def test_other_pwp_cannot_undo_a_change(pwp_client, other_pwp_client, episode) -> None:
    pwp_client.post(
        programme_url(episode, "waive"),
        {"waive-assignment": assignment_for(episode, "better-sleep").pk, "waive-reason": "x"},
    )
    change = AssignmentChange.objects.get()
    response = other_pwp_client.post(
        reverse("modules:change-undo", args=[episode.patient_id, change.pk])
    )
    assert response.status_code == 404
    change.refresh_from_db()
    assert change.undone_at is None


def test_pwp_reads_a_modules_answers_and_the_read_is_audited(pwp_client, episode) -> None:
    assignment = assignment_for(episode, "better-sleep")
    assignment_start(assignment=assignment)
    exercise_answers_save(
        assignment=assignment,
        exercise_key="sleep_plan",
        data={"usual_bedtime": "23:30", "problems": ["worry"]},
        finishing=False,
    )
    url = reverse("modules:assignment-answers", args=[episode.patient_id, assignment.pk])
    page = pwp_client.get(url).content.decode()
    assert "23:30" in page
    assert "Worrying in bed" in page
    assert AuditEvent.objects.filter(action="modules.answers.view").count() == 1
