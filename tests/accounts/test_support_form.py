"""'Having trouble signing in?': no sign-in needed, rate-limited, no account enumeration."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import SupportKind, SupportRequest
from care.models import AuditEvent


def _ask(contact: str, ip: str = "198.51.100.7", client: Client | None = None):
    return (client or Client()).post(
        "/support/",
        {
            "contact_name": "Charlie",
            "contact": contact,
            "phone_number": "",
            "problem": "forgotten_password",
            "message": "I cannot get in.",
        },
        REMOTE_ADDR=ip,
    )


def test_the_form_opens_without_signing_in(db) -> None:
    response = Client().get("/support/")
    assert response.status_code == 200
    assert "Having trouble signing in?" in response.content.decode()


def test_missing_fields_are_explained(db) -> None:
    response = Client().post("/support/", {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter your name." in page
    assert "Choose the problem that fits best." in page
    assert not SupportRequest.objects.exists()


def test_a_request_for_a_real_account_reaches_the_navigator_of_that_service(
    patient, episode, navigator_client
) -> None:
    response = _ask(patient.email.upper())
    assert response.status_code == 302
    support_request = SupportRequest.objects.get()
    assert support_request.kind == SupportKind.SIGN_IN_HELP
    assert support_request.patient == patient
    assert support_request.service == patient.service
    page = navigator_client.get("/navigator/").content.decode()
    assert "Asked for help signing in (1)" in page
    assert patient.display_name in page


def _without_nonce(page: str) -> str:
    return re.sub(r'nonce="[^"]*"', 'nonce=""', page)


def test_existing_and_unknown_accounts_get_identical_answers_and_side_effects(
    patient, episode
) -> None:
    known = _ask(patient.username, ip="198.51.100.1")
    unknown = _ask("nobody-at-all@example.org", ip="198.51.100.2")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Each page has its own Content-Security-Policy nonce; everything else must match.
    known_page = _without_nonce(Client().get(known["Location"]).content.decode())
    unknown_page = _without_nonce(Client().get(unknown["Location"]).content.decode())
    assert known_page == unknown_page
    # The same work either way: a request row and an audit event each, and no email at all.
    assert SupportRequest.objects.count() == 2
    assert AuditEvent.objects.filter(action="support_request.submit").count() == 2
    assert mail.outbox == []


def test_unmatched_requests_still_reach_a_navigator(navigator_client) -> None:
    _ask("someone-we-do-not-know@example.org")
    page = navigator_client.get("/navigator/").content.decode()
    assert "no matching account" in page
    assert "someone-we-do-not-know@example.org" in page


def test_requests_are_limited_per_address(db, settings) -> None:
    settings.BCBT_SUPPORT_LIMIT_PER_IP = 3
    statuses = [_ask(f"person{n}@example.org", ip="203.0.113.9").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert SupportRequest.objects.count() == 3
    # Someone else on another network is unaffected.
    assert _ask("another@example.org", ip="203.0.113.10").status_code == 302


def test_requests_are_limited_per_contact_whatever_the_address(db, settings) -> None:
    settings.BCBT_SUPPORT_LIMIT_PER_CONTACT = 2
    statuses = [_ask("Same@Example.org", ip=f"203.0.113.{n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert (
        "We already have your request"
        in _ask("same@example.org", ip="203.0.113.99").content.decode()
    )


@pytest.mark.django_db
def test_the_form_still_works_when_the_cache_is_down(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = _ask("anyone@example.org")
    assert response.status_code == 302
    assert SupportRequest.objects.count() == 1


def test_help_page_links_to_the_form(db) -> None:
    assert 'href="/support/"' in Client().get("/help/").content.decode()
