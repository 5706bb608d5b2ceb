"""The accessibility statement, privacy notice and cookie page, and the web app manifest."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import PASSWORD

ABOUT_PAGES = {
    "/about/accessibility/": "Accessibility statement",
    "/about/privacy/": "Privacy notice",
    "/about/cookies/": "Cookies",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "heading"), ABOUT_PAGES.items())
def test_anyone_can_read_the_page_without_signing_in(path: str, heading: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert f'<h1 class="nhsuk-heading-l">{heading}</h1>' in response.content.decode()


def _footer(html: str) -> str:
    return html[html.index('<footer class="nhsuk-footer"') :]


@pytest.mark.parametrize("client_name", ["client", "patient_client", "pwp_client"])
def test_every_footer_links_the_accessibility_privacy_and_cookie_pages(
    request: pytest.FixtureRequest, client_name: str, db: None
) -> None:
    client: Client = request.getfixturevalue(client_name)
    page = "/accounts/login/" if client_name == "client" else "/"
    response = client.get(page, follow=True)
    assert response.status_code == 200
    footer = _footer(response.content.decode())
    for path in ABOUT_PAGES:
        assert f'href="{path}"' in footer


@pytest.mark.django_db
def test_privacy_notice_names_the_controller_and_contacts_the_deployment_sets(settings) -> None:
    settings.BCBT_DATA_CONTROLLER = "Example Healthcare NHS Foundation Trust"
    settings.BCBT_DPO_EMAIL = "dpo@example.nhs.uk"
    settings.BCBT_SERVICE_CONTACT = "0300 000 0000"
    html = Client().get("/about/privacy/").content.decode()
    assert "Example Healthcare NHS Foundation Trust" in html
    assert 'href="mailto:dpo@example.nhs.uk"' in html
    assert "0300 000 0000" in html
    assert "Article 9(2)(h)" in html
    statement = Client().get("/about/accessibility/").content.decode()
    assert "0300 000 0000" in statement
    assert "Equality Advisory and Support Service" in statement


@pytest.mark.django_db
def test_privacy_notice_without_a_dpo_email_says_how_to_find_one(settings) -> None:
    settings.BCBT_DPO_EMAIL = ""
    html = Client().get("/about/privacy/").content.decode()
    assert "mailto:" not in html
    assert "Ask the service for their contact details" in html


def test_cookie_page_lists_every_cookie_a_patient_gets_while_using_bcbt(patient, episode) -> None:
    client = Client()
    seen: set[str] = set()

    def collect(cookies: SimpleCookie) -> None:
        seen.update(name for name, morsel in cookies.items() if morsel.value)

    collect(client.get("/accounts/login/").cookies)
    collect(
        client.post("/accounts/login/", {"login": patient.username, "password": PASSWORD}).cookies
    )
    collect(client.get("/mood/").cookies)
    # Saving a rating leaves a one-off note for the next page, which is the messages cookie.
    response = client.post(
        "/mood/", {"score": 6, "note": "", "day": patient.local_today().isoformat()}
    )
    assert response.status_code == 302
    collect(response.cookies)
    collect(client.get(response["Location"]).cookies)
    assert {"sessionid", "csrftoken", "messages"} <= seen

    page = Client().get("/about/cookies/").content.decode()
    missing = [name for name in seen if f"<code>{name}</code>" not in page]
    assert missing == [], f"cookies bcbt sets that the cookie page does not list: {missing}"


@pytest.mark.django_db
def test_manifest_names_the_service_and_icons_that_are_served() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/me/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/")
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


@pytest.mark.django_db
def test_every_page_links_the_icons_and_the_manifest() -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/nhsuk/assets/images/favicon.ico" sizes="48x48">' in html
    assert '<link rel="apple-touch-icon" href="/static/bcbt/icons/app-apple-180.png">' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
