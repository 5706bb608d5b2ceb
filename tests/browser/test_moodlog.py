"""A patient rates today on /mood/ in one tap, changes it, and sees it on the chart."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import User
from moodlog.models import MoodRating
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_rates_today_changes_it_and_sees_it_on_the_chart(
    live_server, page, patient: User, episode
) -> None:
    today = patient.local_today().isoformat()
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/mood/")
    expect(page.get_by_role("heading", name="How is your mood today?")).to_be_visible()
    expect(page.get_by_role("button", name="1 Very low out of 10")).to_be_visible()
    expect(page.get_by_role("button", name="10 Very good out of 10")).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)

    # One tap.
    page.get_by_role("button", name="7 out of 10", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Saved: 7 out of 10 for today.")).to_be_visible()
    assert page.locator(f'circle[data-day="{today}"]').get_attribute("data-score") == "7"
    assert MoodRating.objects.get(patient=patient).score == 7

    # Change it, with a note this time.
    page.get_by_text("Add a note (optional)").click()
    page.get_by_label("Note (optional)").fill("Went for a walk.")
    page.get_by_role("button", name="4 out of 10", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Saved: 4 out of 10 for today.")).to_be_visible()
    assert page.locator(f'circle[data-day="{today}"]').get_attribute("data-score") == "4"
    row = page.locator(f'tr[data-day="{today}"]')
    assert "4" in row.inner_text()
    assert "Went for a walk." in row.inner_text()
    rating = MoodRating.objects.get(patient=patient)
    assert (rating.score, rating.note) == (4, "Went for a walk.")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)


def test_a_patient_rates_a_missed_day_from_the_table(
    live_server, page, patient: User, episode
) -> None:
    yesterday = patient.local_today() - datetime.timedelta(days=1)
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/mood/")
    page.locator(f'tr[data-day="{yesterday.isoformat()}"]').get_by_role("link").click()
    expect(page.get_by_role("heading", name="How was your mood yesterday?")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="3 out of 10", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Saved: 3 out of 10 for yesterday.")).to_be_visible()
    assert MoodRating.objects.get(patient=patient, day=yesterday).score == 3


def test_the_page_works_without_javascript(live_server, browser, patient: User, episode) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 780})
    page = context.new_page()
    sign_in(page, live_server, patient.username, PASSWORD)
    page.goto(f"{live_server.url}/mood/")
    page.get_by_role("button", name="9 out of 10", exact=True).click()
    page.wait_for_load_state()
    assert MoodRating.objects.get(patient=patient).score == 9
    expect(page.get_by_text("Saved: 9 out of 10 for today.")).to_be_visible()
    context.close()
