"""Every patient and PWP page in a real browser: nothing missing, nothing from another origin.

A page or anything it loads (stylesheet, script, icon, font) that answers 4xx/5xx fails the
test, and so does any request to an origin other than the live server: a patient's browser must
not tell a third party which NHS service it uses. Each page also passes axe on a 360 px screen.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from accounts.models import User
from care.models import Appointment, Episode
from modules.models import Assignment
from safety.models import RiskFlag
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-for-browser-tests"

# Open to everyone, and linked from every footer.
PUBLIC_PAGES = ["/help/", "/about/accessibility/", "/about/privacy/", "/about/cookies/"]


@pytest.fixture
def demo(settings: Any) -> None:
    settings.BCBT_DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo", patients=4, days=14, seed=7)


class RequestWatch:
    """Every request the page makes to another origin, and every answer of 400 or more."""

    def __init__(self, page: Any, origin: str) -> None:
        self.origin = origin
        self.elsewhere: list[str] = []
        self.failed: list[str] = []
        page.on("request", self._request)
        page.on("response", self._response)

    def _request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.elsewhere.append(request.url)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def visit(self, page: Any, path: str) -> None:
        response = page.goto(f"{self.origin}{path}")
        assert response is not None
        assert response.url.startswith(f"{self.origin}{path.split('?')[0]}"), (
            f"{path} redirected to {response.url}"
        )
        page.wait_for_load_state("load")
        assert self.failed == [], f"on {path}: {self.failed}"
        assert self.elsewhere == [], f"{path} asked another origin: {self.elsewhere}"
        assert_no_serious_axe_violations(page)


def _patient_pages() -> list[str]:
    patient = User.objects.get(username="patient")
    episode = Episode.objects.filter(patient=patient).latest("pk")
    slug = Assignment.objects.filter(episode=episode).order_by("pk").first().module.slug  # type: ignore[union-attr]
    return [
        "/me/",
        "/mood/",
        "/modules/",
        f"/modules/{slug}/",
        f"/modules/{slug}/step/1/",
        "/questionnaires/",
        "/questionnaires/phq9/",
        "/messages/",
        "/next-session/",
        "/notifications/",
        "/notifications/settings/",
        "/account/",
        "/account/devices/",
        *PUBLIC_PAGES,
    ]


def _pwp_pages() -> list[str]:
    pwp = User.objects.get(username="pwp")
    episode = Episode.objects.filter(pwp=pwp, patient__username="patient").latest("pk")
    patient_id = episode.patient_id
    number = Appointment.objects.filter(episode=episode).order_by("number").first().number  # type: ignore[union-attr]
    slug = Assignment.objects.filter(episode=episode).order_by("pk").first().module.slug  # type: ignore[union-attr]
    pages = [
        "/clinician/",
        f"/clinician/patients/{patient_id}/",
        f"/clinician/patients/{patient_id}/programme/",
        f"/clinician/patients/{patient_id}/messages/",
        f"/clinician/patients/{patient_id}/sessions/{number}/record/",
        "/clinician/flags/",
        "/clinician/guides/",
        "/clinician/modules/",
        f"/clinician/modules/{slug}/preview/",
        "/notifications/",
        "/account/",
        *PUBLIC_PAGES,
    ]
    flag = RiskFlag.objects.filter(episode__pwp=pwp).order_by("pk").first()
    if flag is not None:
        pages.append(f"/clinician/flags/{flag.pk}/")
    return pages


def test_every_page_a_signed_out_visitor_can_open_loads_whole_from_bcbt_alone(
    demo: None, live_server: Any, page: Any
) -> None:
    watch = RequestWatch(page, live_server.url)
    for path in ["/accounts/login/", "/support/", *PUBLIC_PAGES]:
        watch.visit(page, path)


def test_every_patient_page_loads_whole_from_bcbt_alone(
    demo: None, live_server: Any, page: Any
) -> None:
    watch = RequestWatch(page, live_server.url)
    sign_in(page, live_server, "patient", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    for path in _patient_pages():
        watch.visit(page, path)


def test_every_pwp_page_loads_whole_from_bcbt_alone(
    demo: None, live_server: Any, page: Any
) -> None:
    watch = RequestWatch(page, live_server.url)
    sign_in(page, live_server, "pwp", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    for path in _pwp_pages():
        watch.visit(page, path)
