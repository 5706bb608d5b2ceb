"""The patient's pages at /modules/: programme, module pages, saving as they go."""

from __future__ import annotations

import pytest
from django.urls import reverse

from modules.models import ExerciseResponse
from modules.services import assignment_start, assignment_waive
from tests import factories
from tests.modules.conftest import assignment_for

LOW_MOOD = "understanding-low-mood"


def step_url(step: int, slug: str = LOW_MOOD) -> str:
    return reverse("modules:step", args=[slug, step])


def test_programme_page_shows_mandatory_optional_next_and_time(patient_client) -> None:
    page = patient_client.get("/modules/").content.decode()
    assert "My programme" in page
    assert "What&#x27;s next" in page or "What's next" in page
    assert "Modules in your plan" in page
    assert "Optional modules" in page
    assert "Understanding low mood" in page
    assert "About 15 minutes" in page
    assert "Opens when you finish" in page
    assert "Opens after session" in page


def test_programme_page_takes_the_same_queries_however_much_is_done(
    patient_client, episode, django_assert_max_num_queries, pwp
) -> None:
    patient_client.get("/modules/")
    with django_assert_max_num_queries(9) as before:
        patient_client.get("/modules/")
    # Count now: every request clears Django's query log.
    baseline = len(before.captured_queries)
    for slug in ("understanding-low-mood", "better-sleep", "managing-worry"):
        assignment_start(assignment=assignment_for(episode, slug))
    assignment_waive(by=pwp, assignment=assignment_for(episode, "problem-solving"), reason="x")
    with django_assert_max_num_queries(baseline):
        patient_client.get("/modules/")


def test_a_patient_works_through_a_module_saving_as_they_go(patient_client, episode) -> None:
    overview = patient_client.get(reverse("modules:module", args=[LOW_MOOD]))
    assert b"About 15 minutes" in overview.content
    response = patient_client.post(reverse("modules:module", args=[LOW_MOOD]))
    assert response["Location"] == step_url(1)
    page = patient_client.get(step_url(1))
    assert b"What is low mood?" in page.content
    assert b"<li>feel tired" in page.content
    # Pages are read in order: step 3 is not open before step 2.
    assert patient_client.get(step_url(3))["Location"] == step_url(1)
    for step in (1, 2, 3):
        assert patient_client.post(step_url(step))["Location"] == step_url(step + 1)

    # Stop part-way through the exercise: what is valid so far is kept.
    saved = patient_client.post(
        step_url(4), {"action": "save", "when": "Sunday afternoon", "mood_rating": "7"}
    )
    assert saved["Location"] == step_url(4)
    response_row = ExerciseResponse.objects.get(assignment__episode=episode)
    assert response_row.answers == {"when": "Sunday afternoon", "mood_rating": 7}
    assert response_row.completed_at is None
    # Back later (any device: it is all on the server), the answers are there.
    again = patient_client.get(reverse("modules:module", args=[LOW_MOOD]))
    assert b"Carry on where you left off" in again.content
    resumed = patient_client.get(step_url(4)).content.decode()
    assert 'value="Sunday afternoon"' in resumed
    assert 'value="7" checked' in resumed

    finished = patient_client.post(
        step_url(4),
        {
            "action": "finish",
            "when": "Sunday afternoon",
            "feelings": "Flat",
            "what_i_did": "Stayed in",
            "mood_rating": "7",
        },
    )
    assert finished["Location"] == reverse("modules:finished", args=[LOW_MOOD])
    done = patient_client.get(finished["Location"]).content.decode()
    assert "Module completed" in done
    assert "Stayed in" in done
    patient_client.post(
        reverse("modules:discuss", args=[LOW_MOOD, "my_low_mood_cycle"]), {"wanted": "yes"}
    )
    assert ExerciseResponse.objects.get(assignment__episode=episode).discuss_requested_at
    programme = patient_client.get("/modules/").content.decode()
    assert "Completed" in programme


def test_finishing_without_required_answers_shows_what_is_missing(patient_client, episode) -> None:
    assignment = assignment_for(episode, LOW_MOOD)
    assignment_start(assignment=assignment)
    assignment.steps_done = 3
    assignment.save()
    response = patient_client.post(
        step_url(4), {"action": "finish", "when": "Sunday", "mood_rating": "12"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose a number from 0 to 10." in page
    assert "Please answer this" in page
    assert 'value="Sunday"' in page
    assert not ExerciseResponse.objects.exists()


def test_a_locked_module_cannot_be_started(patient_client, episode) -> None:
    url = reverse("modules:module", args=["activity-diary"])
    assert b"This module is not open yet" in patient_client.get(url).content
    patient_client.post(url)
    assert assignment_for(episode, "activity-diary").started_at is None
    assert patient_client.get(step_url(1, "activity-diary"))["Location"] == url


def test_a_patient_sees_what_their_pwp_changed_and_why(patient_client, episode, pwp) -> None:
    assignment_waive(
        by=pwp, assignment=assignment_for(episode, "better-sleep"), reason="Your sleep is fine now."
    )
    page = patient_client.get("/modules/").content.decode()
    assert "Changes your therapist made" in page
    assert "Your sleep is fine now." in page
    assert "Not needed" in page


def test_a_module_not_in_my_programme_is_404(patient_client) -> None:
    assert (
        patient_client.get(reverse("modules:module", args=["long-term-conditions"])).status_code
        == 404
    )
    assert patient_client.get(reverse("modules:module", args=["no-such-module"])).status_code == 404


def test_a_patient_not_in_treatment_is_told_so(db, service) -> None:
    from tests.conftest import client_for

    client = client_for(factories.PatientFactory.create(service=service))
    assert b"not in treatment" in client.get("/modules/").content
    assert client.get(reverse("modules:module", args=[LOW_MOOD])).status_code == 404


def test_another_patients_answers_are_never_shown(patient_client, other_episode) -> None:
    other = assignment_for(other_episode, LOW_MOOD)
    assignment_start(assignment=other)
    from modules.services import exercise_answers_save

    exercise_answers_save(
        assignment=other,
        exercise_key="my_low_mood_cycle",
        data={"when": "Secret Tuesday"},
        finishing=False,
    )
    other.steps_done = 3
    other.save()
    # My own module is unstarted: its step redirects, and nothing of theirs appears anywhere.
    for url in ("/modules/", reverse("modules:module", args=[LOW_MOOD]), step_url(4)):
        response = patient_client.get(url, follow=True)
        assert b"Secret Tuesday" not in response.content


@pytest.mark.parametrize("persona", ["pwp_client", "navigator_client", "service_admin_client"])
def test_staff_cannot_open_patient_module_pages(request, persona) -> None:
    client = request.getfixturevalue(persona)
    assert client.get("/modules/").status_code == 403
    assert client.get(reverse("modules:module", args=[LOW_MOOD])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db) -> None:
    response = client.get("/modules/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
