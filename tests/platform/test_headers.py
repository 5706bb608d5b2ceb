"""Security headers: an enforced Content-Security-Policy with a per-request nonce,
Permissions-Policy, and no caching of anything personal."""

from __future__ import annotations

import re

from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import device_token_issue
from care.models import Episode


def _script_sources(policy: str) -> list[str]:
    for part in policy.split(";"):
        name, _, sources = part.strip().partition(" ")
        if name == "script-src":
            return sources.split()
    raise AssertionError(f"no script-src in {policy}")


def test_a_patient_page_carries_an_enforced_policy_with_a_nonce_for_its_inline_scripts(
    patient_client: Client,
) -> None:
    response = patient_client.get("/mood/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    sources = _script_sources(policy)
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources
    nonces = [source for source in sources if source.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    page = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline_scripts, "the base template has inline scripts"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline_scripts)
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_each_request_gets_a_new_nonce(patient_client: Client) -> None:
    first = patient_client.get("/mood/")["Content-Security-Policy"]
    second = patient_client.get("/mood/")["Content-Security-Policy"]
    assert first != second


def test_a_patient_page_is_never_stored_and_switches_off_unused_features(
    patient_client: Client,
) -> None:
    response = patient_client.get("/mood/")
    assert "no-store" in response["Cache-Control"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in permissions


def test_a_pwp_page_is_never_stored_and_has_the_policy(pwp_client: Client) -> None:
    response = pwp_client.get("/clinician/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response
    assert "camera=()" in response["Permissions-Policy"]


def test_an_api_answer_is_never_stored(patient: User, episode: Episode) -> None:
    _, key = device_token_issue(user=patient, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/mood/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_an_anonymous_api_refusal_is_never_stored(db: None) -> None:
    response = Client().get("/api/v1/mood/")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_the_sign_in_page_has_the_policy_but_static_files_stay_cacheable(db: None) -> None:
    client = Client()
    page = client.get("/accounts/login/")
    assert "Content-Security-Policy" in page
    assert "camera=()" in page["Permissions-Policy"]
    static = client.get("/static/bcbt/bcbt.css")
    assert "no-store" not in static.get("Cache-Control", "")


def test_the_api_docs_run_under_the_policy_with_a_nonce(db: None) -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert "'unsafe-inline'" not in _script_sources(policy)
    page = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline_scripts
    assert all(f'nonce="{nonce.group(1)}"' in attributes for attributes in inline_scripts)
