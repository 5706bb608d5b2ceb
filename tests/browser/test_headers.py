"""Pages run under the enforced Content-Security-Policy: nothing is blocked, the NHS.UK
scripts still start, and Swagger UI draws the API docs from our own static files."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.browser.conftest import collect_csp_violations, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_patient_pages_report_no_content_security_policy_violation(
    live_server, page, patient: User, episode
) -> None:
    violations = collect_csp_violations(page)
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    for path in ("/me/", "/mood/", "/modules/", "/questionnaires/", "/help/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        # The base template's nonce'd inline script ran: the NHS.UK styles for JavaScript apply.
        assert "js-enabled" in (page.locator("body").get_attribute("class") or ""), path
    assert violations == []


def test_pwp_pages_report_no_content_security_policy_violation(
    live_server, page, pwp: User, patient: User, episode
) -> None:
    violations = collect_csp_violations(page)
    sign_in(page, live_server, pwp.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    for path in ("/clinician/", f"/clinician/patients/{patient.pk}/", "/clinician/flags/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert violations == []


def test_an_injected_inline_script_is_blocked(live_server, page, db) -> None:
    violations = collect_csp_violations(page)
    page.goto(f"{live_server.url}/help/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = true'; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("window.injected === undefined")
    assert violations, "the browser reported no blocked script"


def test_swagger_ui_loads_under_the_policy(live_server, page, db) -> None:
    violations = collect_csp_violations(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "bcbt API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 0
    assert violations == []
