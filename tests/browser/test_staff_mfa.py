"""A PWP signs in with a password and the code from an authenticator app, in a real browser."""

from __future__ import annotations

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests import factories
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pwp_signs_in_through_the_totp_form_and_reaches_the_caseload(settings, live_server, page):
    settings.BCBT_REQUIRE_STAFF_MFA = True
    pwp = factories.PwpFactory.create(username="pwp-browser")
    secret = generate_totp_secret()
    TOTP.activate(pwp, secret)

    sign_in(page, live_server, pwp.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/accounts/2fa/authenticate/")
    assert_no_serious_axe_violations(page)
    # The live server follows the suite's frozen clock, in this process, as pyotp does.
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/clinician/")
    assert "Your caseload" in page.locator("h1").first.inner_text()
