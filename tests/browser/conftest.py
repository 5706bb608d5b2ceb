"""Browser tests: Playwright drives the system Chromium against pytest-django's live server."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# The live server runs in a thread while Playwright's sync API owns an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _cookies_without_an_expiry_date(settings: Any) -> None:
    """The live server follows the suite's frozen clock but Chromium follows the wall clock, so
    a cookie that expires "12 hours after the frozen instant" may already have expired for the
    browser. Browser-session cookies carry no date; the server still ends sessions on time."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], chromium_path: str
) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A phone-sized screen: most patients use bcbt on a phone.
    return {**browser_context_args, "viewport": {"width": 360, "height": 780}}


def sign_in(page: Any, live_server: Any, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.1 A/AA violations that axe-core finds on the page."""
    # Judge the page once it has loaded, not half-way through a navigation or a transition.
    page.wait_for_load_state("load")
    # Evaluated through the DevTools protocol rather than added as an inline <script>, which the
    # enforced Content-Security-Policy would rightly block.
    page.evaluate(AXE_SOURCE.read_text() + "\n;undefined")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def assert_no_serious_axe_violations(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe found serious or critical violations on {page.url}: {violations}"


def assert_fits_phone_width(page: Any) -> None:
    """Nothing on the page is wider than the 360 px screen (no sideways scrolling).

    Right after the viewport shrinks, Chromium may not have laid the page out again: give it a
    moment to fit before measuring."""
    with contextlib.suppress(Exception):
        page.wait_for_function("document.documentElement.scrollWidth <= 360", timeout=2000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px screen"


def collect_csp_violations(page: Any) -> list[str]:
    """Console messages Chromium writes when the Content-Security-Policy blocks something; the
    list fills as the page runs, so check it after the pages under test have loaded."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations
