"""A PWP's session day in a real browser: the flagged patient first, the brief read and marked
reviewed, feedback written, the session recorded with an agreed task; the patient then sees the
task and the feedback."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from measures.services import questionnaire_response_record
from modules.models import Assignment
from modules.services import (
    assignment_start,
    exercise_answers_save,
    exercise_discussion_set,
    modules_load,
)
from moodlog.services import mood_rating_record
from tests import factories
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pwp_reviews_the_flagged_patient_records_the_session_and_the_patient_sees_it(
    live_server, page, browser
):
    modules_load()
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(username="pwp-day", service=service)
    people = {}
    for username, first_name in (("calm", "Casey"), ("flagged", "Frankie"), ("quiet", "Quinn")):
        patient = factories.PatientFactory.create(
            username=username, first_name=first_name, last_name="Test", service=service
        )
        people[username] = factories.make_episode(patient=patient, pwp=pwp, service=service)
        mood_rating_record(patient=patient, day=patient.local_today(), score=6)
    flagged = people["flagged"]
    questionnaire_response_record(
        patient=flagged.patient, instrument_code="phq9", answers=[1, 1, 2, 1, 1, 1, 1, 1, 1]
    )
    assignment = Assignment.objects.get(episode=flagged, module__slug="understanding-low-mood")
    assignment_start(assignment=assignment)
    response = exercise_answers_save(
        assignment=assignment,
        exercise_key="my_low_mood_cycle",
        data={
            "when": "Sunday",
            "feelings": "Flat",
            "what_i_did": "Stayed in bed",
            "mood_rating": "3",
        },
        finishing=True,
    )
    exercise_discussion_set(response=response, wanted=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "pwp-day", factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    first_row = page.locator("table.bcbt-caseload tbody tr").first
    assert "Frankie Test" in first_row.inner_text()
    assert "Risk flag" in first_row.inner_text()
    assert_no_serious_axe_violations(page)

    first_row.get_by_role("link", name="Frankie Test").click()
    page.wait_for_url(f"**/clinician/patients/{flagged.patient_id}/")
    expect(page.locator("body")).to_contain_text("Open risk flag")
    expect(page.locator("body")).to_contain_text("1 exercise marked to talk about")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("You marked this brief as reviewed")).to_be_visible()

    # The exercise and the feedback box are folded below the first screen.
    page.get_by_text("Modules and exercises").click()
    expect(page.get_by_text("Stayed in bed")).to_be_visible()

    page.get_by_label("Written feedback for the patient").fill(
        "You spotted how staying in bed kept your mood low. That is a real step."
    )
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Feedback sent")).to_be_visible()

    page.get_by_role("link", name="Record session").click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("Session notes").fill(
        "Talked about the weekend and the flag; safety plan agreed."
    )
    page.get_by_label("Task agreed for the coming week").fill(
        "Go for a ten-minute walk each morning"
    )
    page.locator("#choose-activity-diary").check()
    page.get_by_role("button", name="Save session record").click()
    expect(page.get_by_text("recorded").first).to_be_visible()

    patient_context = browser.new_context(viewport={"width": 360, "height": 780})
    patient_page = patient_context.new_page()
    sign_in(patient_page, live_server, "flagged", factories.PASSWORD)
    patient_page.wait_for_url(f"{live_server.url}/me/")
    text = patient_page.content()
    assert "Go for a ten-minute walk each morning" in text
    assert "staying in bed kept your mood low" in text
    assert_no_serious_axe_violations(patient_page)
    assert_fits_phone_width(patient_page)
    patient_context.close()


def test_pwp_pages_fit_a_phone(live_server, page):
    modules_load()
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(username="pwp-phone", service=service)
    patient = factories.PatientFactory.create(username="phone-patient", service=service)
    episode = factories.make_episode(patient=patient, pwp=pwp, service=service)
    sign_in(page, live_server, "pwp-phone", factories.PASSWORD)
    for path in (
        "/clinician/",
        f"/clinician/patients/{patient.pk}/",
        f"/clinician/patients/{patient.pk}/sessions/2/record/",
        f"/clinician/patients/{patient.pk}/messages/",
        "/clinician/guides/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_no_serious_axe_violations(page)
        assert_fits_phone_width(page)
    assert episode.pk
