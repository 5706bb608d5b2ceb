from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

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
    call_command("seed_demo", patients=4, days=14, seed=7)


@pytest.mark.parametrize(
    ("username", "home_path", "heading"),
    [
        ("patient", "/me/", "Hello"),
        ("pwp", "/clinician/", "Your caseload"),
        ("pwp2", "/clinician/", "Your caseload"),
        ("navigator", "/navigator/", "Support queue"),
        ("admin", "/service/", "Talking Therapies"),
    ],
)
def test_each_demo_role_signs_in_through_the_form_and_lands_on_its_home(
    demo, live_server, page, username, home_path, heading
):
    sign_in(page, live_server, username, DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}{home_path}")
    assert heading in page.locator("h1").first.inner_text()
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)


def test_sign_in_page_and_help_page_pass_axe_on_a_phone(live_server, page, chromium_path):
    for path in ("/accounts/login/", "/help/"):
        page.goto(f"{live_server.url}{path}")
        assert_no_serious_axe_violations(page)
        assert_fits_phone_width(page)


def test_wrong_password_shows_a_clear_message(demo, live_server, page):
    sign_in(page, live_server, "patient", "not-the-password")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_no_serious_axe_violations(page)
