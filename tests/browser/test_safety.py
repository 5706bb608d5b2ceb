"""A patient writes words of risk in a message and sees crisis signposting at once; their PWP
sees the flag first on the caseload with its source and phrase, acknowledges it, and closes it
with a note."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from moodlog.services import mood_rating_record
from safety.models import RiskFlag, RiskFlagStatus
from tests import factories
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_matching_message_signposts_the_patient_and_the_pwp_acknowledges_and_closes_it(
    live_server, page, browser
):
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(username="pwp-safety", service=service)
    for username, first_name in (("calm", "Casey"), ("writer", "Wren")):
        patient = factories.PatientFactory.create(
            username=username, first_name=first_name, last_name="Test", service=service
        )
        factories.make_episode(patient=patient, pwp=pwp, service=service)
        mood_rating_record(patient=patient, day=patient.local_today(), score=6)

    patient_context = browser.new_context(viewport={"width": 360, "height": 780})
    patient_page = patient_context.new_page()
    sign_in(patient_page, live_server, "writer", factories.PASSWORD)
    patient_page.wait_for_url(f"{live_server.url}/me/")
    patient_page.goto(f"{live_server.url}/messages/")
    patient_page.get_by_label("Your message").fill("Some days I just want to end it all.")
    patient_page.get_by_role("button", name="Send message").click()
    patient_page.wait_for_url(f"{live_server.url}/help/now/")
    expect(patient_page.locator("#crisis-signposting")).to_contain_text("116 123")
    assert_no_serious_axe_violations(patient_page)
    patient_context.close()

    sign_in(page, live_server, "pwp-safety", factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    first_row = page.locator("table.bcbt-caseload tbody tr").first
    expect(first_row).to_contain_text("Wren Test")
    expect(first_row).to_contain_text('message to the pwp, "end it all"')

    flag = RiskFlag.objects.get()
    page.goto(f"{live_server.url}/clinician/flags/{flag.pk}/")
    expect(page.locator("body")).to_contain_text("Message to the PWP")
    page.get_by_role("button", name="I'm on it: acknowledge this flag").click()
    expect(page.locator("body")).to_contain_text("Acknowledged by")
    assert_no_serious_axe_violations(page)
    page.get_by_label("What did you do?").fill("Phoned Wren; safety plan agreed.")
    page.get_by_role("button", name="Close flag with this note").click()
    page.wait_for_url(f"{live_server.url}/clinician/flags/")
    flag.refresh_from_db()
    assert flag.status == RiskFlagStatus.CLOSED
    assert flag.acknowledged_by == pwp
