"""Every URL needs a sign-in except a short, explicit allow-list."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Paths anyone may open without signing in, and why.
ALLOW_LIST = {
    "healthz": "load balancers and monitoring",
    "metrics": "the Prometheus scraper, which sends the bearer token instead of signing in",
    "help/": "urgent help and sign-in help must reach people who cannot sign in",
    "api/schema/": "app developers read the API description",
    "api/docs/": "app developers read the API description",
    "accounts/": "sign-in, password reset and sign-in codes (allauth)",
    "admin/login/": "Django admin's own sign-in form",
    "unsubscribe/": "the signed 'stop these' link in every message works without signing in",
    "support/": "'Having trouble signing in?' needs no sign-in",
    "about/": "the accessibility statement, privacy notice and cookie page are for everyone",
    "manifest.webmanifest": "a phone reads it to install bcbt before anyone signs in",
    "sw.js": "the installable app's service worker script, which holds no data",
}


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += _walk(pattern.url_patterns, prefix + route)
        else:
            paths.append(prefix + route)
    return paths


def _concrete(route: str) -> str:
    """Turn a route or regex into a path a client can request, with dummy values."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug):[^>]+>", "x", route)
    route = re.sub(r"<path:[^>]+>", "x", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<[^>]+>", "1", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    route = route.replace("\\.", ".").replace("\\", "")
    route = re.sub(r"[()?*+\[\]|]", "", route)
    return "/" + route


def _allowed(path: str) -> bool:
    bare = path.lstrip("/")
    return any(
        bare == entry or (entry.endswith("/") and bare.startswith(entry)) for entry in ALLOW_LIST
    )


@pytest.mark.django_db
def test_every_url_outside_the_allow_list_needs_a_sign_in() -> None:
    client = Client()
    paths = sorted({_concrete(route) for route in _walk(get_resolver().url_patterns)})
    assert len(paths) > 10
    open_paths = []
    for path in paths:
        if _allowed(path):
            continue
        response = client.get(path)
        if response.status_code in (401, 403, 404, 405):
            continue
        if response.status_code == 302 and (
            "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]
        ):
            continue
        open_paths.append((path, response.status_code))
    assert open_paths == [], f"these paths answer without a sign-in: {open_paths}"


@pytest.mark.django_db
def test_allow_list_is_short() -> None:
    # Each entry above carries its reason; a list that grows past a dozen deserves a review.
    assert len(ALLOW_LIST) <= 12
