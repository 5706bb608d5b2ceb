"""A service admin, in a real browser and without Django admin, makes a module optional, sees
how many patients in treatment it changes before saving, confirms, and a patient in treatment
sees the module as optional. Axe on each console page of the programme and sessions sections, at
1280 px and on a 360 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from modules.services import modules_load
from tests import factories
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Doing more, part 1: your activity diary"


def check(page) -> None:
    assert_no_serious_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_no_serious_axe_violations(page)
    # The whole table fits at 1280 px: nothing is cut off on the right.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{page.url} is {width}px wide at 1280px"
    page.set_viewport_size({"width": 360, "height": 780})
    assert_fits_phone_width(page)


def test_admin_makes_a_module_optional_and_a_patient_in_treatment_sees_it(
    live_server, page, browser
) -> None:
    modules_load()
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(service=service)
    factories.ServiceAdminFactory.create(username="console-admin", service=service)
    patient = factories.PatientFactory.create(username="in-treatment", service=service)
    factories.make_episode(patient=patient, pwp=pwp, service=service)

    sign_in(page, live_server, "console-admin", factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/service/")
    page.get_by_role("link", name="Programme").first.click()
    expect(page.locator("h1")).to_have_text("Programme")
    check(page)

    page.get_by_role("link", name=f"Change {TITLE}").click()
    check(page)
    page.get_by_label("Optional: in every patient's programme").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#programme-impact")).to_contain_text(
        "This will change 1 patient's programme: the module is made optional"
    )
    check(page)
    page.get_by_role("button", name="Confirm and save").click()
    expect(page.get_by_text("1 patient's programme was changed.")).to_be_visible()
    check(page)

    page.get_by_role(
        "link", name=re.compile(rf"Preview as the patient\W+{re.escape(TITLE)}")
    ).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    check(page)
    page.goto(f"{live_server.url}/service/sessions/")
    check(page)
    page.get_by_label("Most messages a patient gets in a day").fill("3")
    page.get_by_label("Most messages a patient gets in a week").fill("2")
    page.get_by_role("button", name="Save the caps").click()
    expect(page.get_by_text("There is a problem").first).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "A patient cannot get 3 a day when the week allows only 2"
    )
    check(page)

    patient_page = browser.new_page(viewport={"width": 360, "height": 780})
    sign_in(patient_page, live_server, "in-treatment", factories.PASSWORD)
    patient_page.wait_for_url(f"{live_server.url}/me/")
    patient_page.goto(f"{live_server.url}/modules/")
    optional = patient_page.locator("h2", has_text="Optional modules").locator("xpath=..")
    expect(optional).to_contain_text("your activity diary")
    assert_no_serious_axe_violations(patient_page)
