"""Issue #18, done when: a service admin who never opens /admin/ registers a patient, who signs
in through the welcome link and sees the programme and the next appointment; the admin ends
another patient's treatment. Every console page of this part passes axe and fits a phone."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from care.models import EndReason, Episode, EpisodeStatus
from tests import factories
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _check(page: Any) -> None:
    assert "/admin/" not in page.url
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)


def test_a_service_admin_registers_a_patient_who_signs_in_and_ends_anothers_treatment(
    live_server, page, browser, settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BCBT_BASE_URL = live_server.url
    mail.outbox = []
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(first_name="Alex", last_name="Moss", service=service)
    admin = factories.ServiceAdminFactory.create(
        username="asha", is_superuser=False, is_staff=False, service=service
    )
    leaving = factories.PatientFactory.create(
        first_name="Dana", last_name="Leaving", service=service
    )
    factories.make_episode(patient=leaving, pwp=pwp, service=service)
    first_on = timezone.localdate(timezone=LONDON) + datetime.timedelta(days=3)

    sign_in(page, live_server, admin.username, PASSWORD)
    page.goto(f"{live_server.url}/service/")
    page.get_by_role("link", name="Patients", exact=True).click()
    page.wait_for_url(f"{live_server.url}/service/patients/")
    _check(page)
    page.get_by_role("button", name="Register a patient").click()
    page.wait_for_url(f"{live_server.url}/service/patients/new/")
    _check(page)

    # A mistake first: nothing typed is lost, and the error says what to do.
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Ashby")
    page.get_by_label("Email address").fill("robin.ashby@example.org")
    page.get_by_label("Mobile phone number (optional)").fill("0123")
    page.get_by_label("PWP").select_option(label="Alex Moss")
    page.get_by_label("Date of the first appointment").fill(first_on.isoformat())
    page.get_by_label("Time of the first appointment").fill("14:30")
    page.get_by_role("button", name="Register and send the welcome email").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a mobile phone number")
    expect(page.get_by_label("Last name")).to_have_value("Ashby")
    _check(page)
    page.get_by_label("Mobile phone number (optional)").fill("07911 123456")
    page.get_by_role("button", name="Register and send the welcome email").click()
    expect(page.locator("h1")).to_have_text("Robin Ashby")
    expect(page.locator("body")).to_contain_text("We emailed them a welcome")
    expect(page.locator("[data-pwp]")).to_have_text("Alex Moss")
    _check(page)

    # The patient opens the welcome link in a browser of their own.
    [welcome] = mail.outbox
    link = re.search(r"http://\S+/accounts/sign-in-link/\S+/", str(welcome.body))
    assert link, welcome.body
    patient_context = browser.new_context(viewport={"width": 360, "height": 780})
    patient_page = patient_context.new_page()
    patient_page.goto(link.group(0))
    expect(patient_page.locator("h1")).to_have_text("Welcome, Robin")
    assert_no_serious_axe_violations(patient_page)
    patient_page.get_by_role("button", name="Sign in").click()
    patient_page.wait_for_url(f"{live_server.url}/me/")
    expect(patient_page.locator("body")).to_contain_text(
        f"Session 1, face to face, on {first_on:%A} {first_on.day} {first_on:%B} at 14:30"
    )
    patient_page.goto(f"{live_server.url}/modules/")
    expect(patient_page.locator("body")).to_contain_text("Modules in your plan")
    expect(patient_page.locator(".nhsuk-task-list").first).to_be_visible()
    patient_context.close()

    # The admin ends the other patient's treatment.
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_role("link", name="Dana Leaving").click()
    _check(page)
    page.get_by_role("link", name="End treatment").click()
    _check(page)
    page.get_by_label("Why treatment ended").select_option(EndReason.COMPLETED.value)
    page.get_by_role("button", name="End treatment").click()
    expect(page.locator("body")).to_contain_text("Dana Leaving's treatment has ended")
    episode = Episode.objects.get(patient=leaving)
    assert episode.status == EpisodeStatus.COMPLETED
    assert episode.end_reason == EndReason.COMPLETED

    # The other pages of this part: contact details, staff, inviting.
    page.get_by_role("link", name="Change contact details").click()
    _check(page)
    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url(f"{live_server.url}/service/staff/")
    _check(page)
    page.get_by_role("button", name="Invite a member of staff").click()
    page.wait_for_url(f"{live_server.url}/service/staff/invite/")
    _check(page)


def test_the_patient_list_fits_a_desktop_screen(live_server, page, settings) -> None:
    service = factories.ServiceFactory.create()
    admin = factories.ServiceAdminFactory.create(
        username="asha", is_superuser=False, is_staff=False, service=service
    )
    pwp = factories.PwpFactory.create(service=service)
    for _ in range(3):
        factories.make_episode(
            patient=factories.PatientFactory.create(service=service), pwp=pwp, service=service
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, admin.username, PASSWORD)
    for path in ("/service/patients/", "/service/staff/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{path} is {width}px wide"
        assert_no_serious_axe_violations(page)
