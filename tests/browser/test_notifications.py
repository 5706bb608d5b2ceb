"""The patient's notification pages in Chromium: accessible, phone-sized, no JavaScript needed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from notifications.models import NotificationPreference
from notifications.unsubscribe import unsubscribe_token
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-for-browser-tests"


@pytest.fixture
def demo(settings) -> None:
    settings.BCBT_DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo", patients=3, days=7, seed=5)


def test_patient_changes_settings_and_reads_the_list_on_a_phone(demo, live_server, page) -> None:
    sign_in(page, live_server, "patient", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/notifications/")
    assert "Your notifications" in page.locator("h1").inner_text()
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)

    page.goto(f"{live_server.url}/notifications/settings/")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
    page.get_by_label("Do not contact me. Only show them in the app").check()
    page.get_by_label("A reminder the day before a session").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("body")).to_contain_text("Your notification choices are saved.")
    preference = NotificationPreference.objects.get(patient__username="patient")
    assert preference.contact_by == "none"
    assert preference.appointment_reminder is False


@pytest.mark.parametrize("javascript", [True, False])
def test_stop_link_page_works_signed_out_with_or_without_javascript(
    demo, live_server, browser, javascript
) -> None:
    patient = User.objects.get(username="patient003")
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, java_script_enabled=javascript
    )
    page = context.new_page()
    token = unsubscribe_token(patient_id=patient.pk, kind="mood_reminder")
    page.goto(f"{live_server.url}/unsubscribe/{token}/")
    if javascript:
        assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)
    page.get_by_role("button", name="Yes, stop these").click()
    expect(page.locator("body")).to_contain_text(
        "we will not send you daily reminders to rate your mood"
    )
    assert NotificationPreference.objects.get(patient=patient).mood_reminder is False
    context.close()
