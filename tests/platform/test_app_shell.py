"""What makes bcbt an installable app, checked as Chromium's installability checks do
(Lighthouse's "installable manifest" and "service worker" audits): a manifest with a name,
icons of 192 and 512 pixels, a start URL and a display mode, served with the right type; a
service worker at the site root with a fetch handler; and staff pages kept out of every cache."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def png_size(path: str) -> tuple[int, int]:
    data = Path(path).read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_passes_the_installability_checks() -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"]
    assert manifest["short_name"] == "bcbt"
    assert manifest["start_url"] == "/me/"
    assert manifest["display"] in ("standalone", "fullscreen", "minimal-ui")
    assert manifest["theme_color"] == "#005eb8"
    assert manifest["background_color"]
    sizes = set()
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        width, height = png_size(str(path))
        assert f"{width}x{height}" == icon["sizes"]
        sizes.add((icon["sizes"], icon.get("purpose", "any")))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_the_service_worker_is_served_from_the_root_for_the_whole_site() -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    assert 'addEventListener("fetch"' in source
    for never in ("/clinician/", "/navigator/", "/service/", "/admin/", "/api/"):
        assert f'"{never}"' in source


def test_the_service_worker_is_allowed_by_the_content_security_policy() -> None:
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    # No worker-src or manifest-src: both fall back to default-src/script-src 'self'.
    assert "worker-src" not in directives
    assert "'self'" in directives["script-src"]
    assert "'self'" in directives["default-src"]


def test_every_page_loads_the_app_script_and_says_who_is_signed_in(patient, episode) -> None:
    page = client_for(patient).get("/me/").content.decode()
    assert '<script type="module" src="/static/bcbt/app.js"></script>' in page
    assert f'data-bcbt-user="{patient.pk}" data-bcbt-role="patient"' in page
    assert "data-bcbt-sign-out" in page
    assert "data-bcbt-install" in page
    assert "Add to Home Screen" in page
    anonymous = Client().get("/accounts/login/").content.decode()
    assert "data-bcbt-user" not in anonymous


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("pwp", "/clinician/"),
        ("navigator", "/navigator/"),
        ("service_admin", "/admin/"),
    ],
)
def test_staff_pages_are_never_stored(persona: str, path: str, request) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
