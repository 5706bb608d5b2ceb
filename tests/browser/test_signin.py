"""A patient who forgot their password asks for help without signing in; the navigator sends a
sign-in link; the patient signs in with it; the request closes."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import SupportRequest, SupportStatus
from tests import factories
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgotten_password_to_signed_in_through_the_navigator(
    live_server, page, browser, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(service=service)
    navigator = factories.NavigatorFactory.create(service=service)
    patient = factories.PatientFactory.create(
        username="robin", first_name="Robin", last_name="Hughes", service=service
    )
    factories.make_episode(patient=patient, pwp=pwp, service=service)

    # The patient cannot remember their password and asks for help without signing in.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Ask our support team to help you sign in").click()
    page.wait_for_url(f"{live_server.url}/support/")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
    page.get_by_label("Your name").fill("Robin Hughes")
    page.get_by_label("Your email address or username").fill(patient.email)
    page.get_by_label("I have forgotten my password").check()
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url(f"{live_server.url}/support/sent/")
    assert "Request sent" in page.locator("h1").inner_text()
    assert_no_serious_axe_violations(page)

    # The navigator sees the request and sends a sign-in link.
    navigator_page = browser.new_page(viewport={"width": 360, "height": 780})
    sign_in(navigator_page, live_server, navigator.username, PASSWORD)
    navigator_page.wait_for_url(f"{live_server.url}/navigator/")
    help_section = navigator_page.locator("section", has_text="Asked for help signing in (1)")
    assert "Robin Hughes" in help_section.inner_text()
    assert "I have forgotten my password" in help_section.inner_text()
    assert_no_serious_axe_violations(navigator_page)
    assert_fits_phone_width(navigator_page)
    help_section.get_by_role("button", name="Send sign-in link to Robin Hughes").click()
    navigator_page.wait_for_load_state()
    expect(navigator_page.locator("body")).to_contain_text("Sign-in link sent")
    assert SupportRequest.objects.get().status == SupportStatus.PICKED_UP

    # The patient opens the link from the email and signs in with it.
    assert mail.outbox[-1].to == [patient.email]
    link = re.search(r"http://\S+/accounts/sign-in-link/\S+/", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    page.goto(link.group(0))
    assert "Sign in, Robin" in page.locator("h1").inner_text()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Sign in").first.click()
    page.wait_for_url(f"{live_server.url}/me/")
    assert "Hello Robin" in page.locator("h1").inner_text()
    expect(page.locator("body")).to_contain_text("You are signed in")

    # The request has closed itself and left the navigator's queue.
    support_request = SupportRequest.objects.get()
    assert support_request.status == SupportStatus.CLOSED
    navigator_page.goto(f"{live_server.url}/navigator/")
    expect(navigator_page.locator("body")).to_contain_text("Asked for help signing in (0)")

    # The used link now explains itself rather than signing anybody in again.
    page.goto(link.group(0))
    assert "already been used" in page.locator("h1").inner_text()
    assert_no_serious_axe_violations(page)
    navigator_page.close()


def test_code_lockout_and_devices_pages_pass_axe_on_a_phone(live_server, page):
    service = factories.ServiceFactory.create()
    patient = factories.PatientFactory.create(service=service)
    factories.make_episode(patient=patient, pwp=None, service=service)
    page.goto(f"{live_server.url}/accounts/login/code/")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
    page.get_by_label("Email address").fill(patient.email)
    page.get_by_role("button", name="Email me a code").click()
    page.wait_for_url(re.compile(r".*/accounts/login/code/confirm/"))
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
    # A fresh browser: allauth would otherwise take us back to the code we asked for.
    page.context.clear_cookies()
    for _ in range(5):
        sign_in(page, live_server, patient.username, "not-the-password")
    assert "Sign-in is paused" in page.locator("h1").inner_text()
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)

    other = factories.PatientFactory.create(service=service)
    factories.make_episode(patient=other, pwp=None, service=service)
    page.context.clear_cookies()
    sign_in(page, live_server, other.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/account/devices/")
    expect(page.locator("body")).to_contain_text("(this device)")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
