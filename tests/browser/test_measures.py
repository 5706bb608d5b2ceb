"""A patient answers PHQ-9 with question 9 above 0 and sees where to get help; their PWP sees
the flag and closes it with a note."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safety.models import RiskFlag, RiskFlagStatus
from tests import factories
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_question_nine_signposts_the_patient_and_the_pwp_closes_the_flag(
    live_server, page, browser
):
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(username="pwp-browser", service=service)
    patient = factories.PatientFactory.create(
        username="patient-browser", first_name="Robin", last_name="Hart", service=service
    )
    factories.make_episode(patient=patient, pwp=pwp, service=service)

    sign_in(page, live_server, "patient-browser", factories.PASSWORD)
    page.goto(f"{live_server.url}/questionnaires/")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
    page.get_by_role("link", name="Patient Health Questionnaire (PHQ-9)").first.click()
    page.wait_for_url(f"{live_server.url}/questionnaires/phq9/")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
    for number in range(1, 9):
        page.locator(f"#q{number}-0").check()
    page.locator("#q9-1").check()
    page.get_by_role("button", name="Send my answers").click()

    signposting = page.locator("#crisis-signposting")
    signposting.wait_for()
    text = signposting.inner_text()
    assert "116 123" in text
    assert "111" in text
    assert "999" in text
    assert "A&E" in text
    assert "not monitored in real time" in text
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)

    staff_context = browser.new_context(viewport={"width": 360, "height": 780})
    staff_page = staff_context.new_page()
    sign_in(staff_page, live_server, "pwp-browser", factories.PASSWORD)
    staff_page.goto(f"{live_server.url}/clinician/flags/")
    assert_no_serious_axe_violations(staff_page)
    assert_fits_phone_width(staff_page)
    staff_page.get_by_role("link", name="Robin Hart").click()
    expect(staff_page.locator("body")).to_contain_text("Thoughts that you would be better off dead")
    assert_no_serious_axe_violations(staff_page)
    # Closing without a note is refused.
    staff_page.get_by_role("button", name="Close flag with this note").click()
    expect(staff_page.get_by_text("There is a problem")).to_be_visible()
    assert_no_serious_axe_violations(staff_page)
    staff_page.get_by_label("What did you do?").fill(
        "Phoned Robin; safe tonight; safety plan agreed."
    )
    staff_page.get_by_role("button", name="Close flag with this note").click()
    staff_page.wait_for_url(f"{live_server.url}/clinician/flags/")
    expect(staff_page.locator("body")).to_contain_text("No open flags")
    flag = RiskFlag.objects.get()
    assert flag.status == RiskFlagStatus.CLOSED
    assert flag.review_note == "Phoned Robin; safe tonight; safety plan agreed."
    staff_context.close()


def test_outcomes_and_alliance_pages_pass_axe_on_a_phone(live_server, page):
    from django.core.management import call_command

    call_command("seed_demo", patients=4, days=14, seed=5)
    from accounts.models import User

    pwp = User.objects.get(username="pwp")
    pwp.set_password(factories.PASSWORD)
    pwp.save(update_fields=["password"])
    patient = User.objects.get(username="patient")
    sign_in(page, live_server, "pwp", factories.PASSWORD)
    for path in (
        f"/clinician/patients/{patient.pk}/outcomes/",
        f"/clinician/patients/{patient.pk}/alliance/",
        "/clinician/flags/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1").first).to_be_visible()
        assert_no_serious_axe_violations(page)
        assert_fits_phone_width(page)
    assert (
        "Talk about this"
        in page.goto(f"{live_server.url}/clinician/patients/{patient.pk}/outcomes/").text()
    )
