"""A patient works through a module in the browser; a PWP waives a module and the patient sees
it. On a 360 px phone, with axe on each page."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from modules.models import Assignment, ExerciseResponse
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-for-module-tests"


@pytest.fixture
def demo(settings) -> None:
    settings.BCBT_DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo", patients=2, days=14, seed=7)


def check_page(page) -> None:
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)


def test_patient_completes_an_exercise_across_two_visits_and_marks_it_to_discuss(
    demo, live_server, page
) -> None:
    sign_in(page, live_server, "patient", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/modules/")
    assert "My programme" in page.locator("h1").inner_text()
    expect(page.get_by_text("Changes your therapist made")).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="Sleeping better").click()
    check_page(page)
    page.get_by_role("button", name="Start").click()
    assert page.locator("h1").inner_text() == "Sleep and mood"
    check_page(page)
    for _ in range(3):
        page.get_by_role("button", name="Next").click()
    assert page.locator("h1").inner_text() == "My sleep plan"
    check_page(page)

    # First visit: answer two questions and stop.
    page.get_by_label("What time do you usually go to bed?").fill("23:30")
    page.get_by_role("group", name="How well have you slept this week?").get_by_label(
        "4", exact=True
    ).check()
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_text("Saved. You can come back to this")).to_be_visible()

    # Second visit: from the programme, carry on where they left off.
    page.goto(f"{live_server.url}/modules/")
    page.get_by_role("link", name="Sleeping better").click()
    page.get_by_role("button", name="Carry on where you left off").click()
    assert page.get_by_label("What time do you usually go to bed?").input_value() == "23:30"
    page.get_by_label("What time do you usually get up?").fill("07:00")
    page.get_by_label("What time will you get up every day this week?").fill("07:00")
    page.get_by_label("Which one or two other changes will you try?").fill(
        "Phone charges in the kitchen."
    )
    page.get_by_role("button", name="Save and finish").click()
    assert page.locator("h1").inner_text() == "Module completed"
    check_page(page)

    page.get_by_role("button", name="I'd like to talk about this").click()
    expect(page.get_by_text("Your therapist will see that you would like to talk")).to_be_visible()
    check_page(page)
    response = ExerciseResponse.objects.get(
        assignment__episode__patient__username="patient", exercise_key="sleep_plan"
    )
    assert response.answers["usual_bedtime"] == "23:30"
    assert response.answers["sleep_quality"] == 4
    assert response.discuss_requested_at is not None

    page.goto(f"{live_server.url}/modules/")
    status = page.locator("#module-better-sleep-status")
    assert status.inner_text().strip() == "Completed"


def test_pwp_waives_a_mandatory_module_and_the_patient_sees_why(demo, live_server, page) -> None:
    patient = User.objects.get(username="patient")
    problem_solving = Assignment.objects.get(
        episode__patient=patient, module__slug="problem-solving"
    )
    sign_in(page, live_server, "pwp", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    page.goto(f"{live_server.url}/clinician/patients/{patient.pk}/programme/")
    expect(page.get_by_text("To talk about in session")).to_be_visible()
    check_page(page)

    # A reason is required.
    page.get_by_label("Mandatory module to waive").select_option(str(problem_solving.pk))
    page.get_by_role("button", name="Waive module").click()
    expect(page.get_by_text("Please give a reason. The patient will see it.").first).to_be_visible()
    check_page(page)

    page.get_by_label("Mandatory module to waive").select_option(str(problem_solving.pk))
    page.get_by_label("Why does this module not fit this patient?").fill(
        "We have already worked through your money worries together in session."
    )
    page.get_by_role("button", name="Waive module").click()
    expect(page.get_by_text("Module waived.")).to_be_visible()
    expect(page.get_by_text(re.compile("Waived “Problem solving")).first).to_be_visible()
    check_page(page)

    page.goto(f"{live_server.url}/clinician/modules/")
    check_page(page)
    page.get_by_role("link", name=re.compile("Preview as patient.*Sleeping better")).click()
    expect(page.get_by_role("heading", name="PWP guide")).to_be_visible()
    check_page(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "patient", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/modules/")
    expect(
        page.get_by_text("We have already worked through your money worries").first
    ).to_be_visible()
    assert "Not needed" in page.locator("#module-problem-solving-status").inner_text()
    check_page(page)
