"""The NHS.UK design system is served whole, from bcbt's own origin (bcbt/frontend_assets.py)."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from bcbt.frontend_assets import NhsukFrontendFinder

STYLESHEET = "nhsuk/nhsuk-frontend.min.css"
_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    assert path, f"{STYLESHEET} is not found by the static file finders"
    return Path(path).read_text(encoding="utf-8")


def test_stylesheet_asks_no_other_origin_for_fonts_or_anything_else() -> None:
    css = _stylesheet()
    assert "@font-face" not in css
    assert "Frutiger" not in css
    other_origins = [url for url in _URL.findall(css) if "//" in url]
    assert other_origins == []


def test_every_icon_the_stylesheet_asks_for_is_served_beside_it() -> None:
    urls = [url for url in _URL.findall(_stylesheet()) if not url.startswith("data:")]
    assert urls, "the stylesheet should ask for the package's icons"
    missing = [
        url for url in urls if url.startswith("/") or not finders.find(posixpath.join("nhsuk", url))
    ]
    assert missing == [], f"the stylesheet asks for files nobody serves: {missing}"


def test_a_path_outside_the_package_is_never_found() -> None:
    # node_modules/nhsuk-frontend/package.json exists, two levels above the served folder.
    assert NhsukFrontendFinder().find("nhsuk/../../package.json") == []


def test_collectstatic_fingerprints_the_icons_the_stylesheet_asks_for(
    settings: Any, tmp_path: Path
) -> None:
    """Production: collectstatic into STATIC_ROOT, then WhiteNoise serves the hashed names."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css = (tmp_path / manifest[STYLESHEET]).read_text(encoding="utf-8")
    assert "@font-face" not in css
    urls = _URL.findall(css)
    assert urls
    for url in urls:
        served = posixpath.normpath(posixpath.join("nhsuk", url.split("#")[0]))
        assert served in manifest.values(), f"{url} is not a fingerprinted file"
        assert (tmp_path / served).is_file()


@pytest.mark.parametrize(
    "path",
    [
        "nhsuk/assets/images/favicon.ico",
        "nhsuk/assets/images/favicon.svg",
        "nhsuk/assets/images/nhsuk-icon-180.png",
        "nhsuk/assets/images/nhsuk-icon-192.png",
        "nhsuk/assets/images/nhsuk-icon-512.png",
        "nhsuk/nhsuk-frontend.min.js",
    ],
)
def test_the_package_files_the_pages_link_to_are_served(path: str) -> None:
    assert finders.find(path)
