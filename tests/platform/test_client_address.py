"""One client address behind the trusted proxies, for lockout, rate limits and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from accounts.client_address import client_address
from care.models import AuditEvent
from tests.factories import PASSWORD

PROXY = "10.0.0.2"


@pytest.fixture
def behind_one_proxy(settings):
    settings.BCBT_TRUSTED_PROXY_HOPS = 1


def _through_proxy(client_ip: str, spoofed: str = "") -> dict[str, Any]:
    """What gunicorn sees when a TLS proxy appends the connecting client to X-Forwarded-For,
    after whatever the client itself sent."""
    forwarded = f"{spoofed}, {client_ip}" if spoofed else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def _sign_in(login: str, password: str, client_ip: str, spoofed: str = ""):
    return Client().post(
        "/accounts/login/",
        {"login": login, "password": password},
        **_through_proxy(client_ip, spoofed),
    )


def _ask_for_help(contact: str, client_ip: str):
    return Client().post(
        "/support/",
        {
            "contact_name": "Charlie",
            "contact": contact,
            "phone_number": "",
            "problem": "forgotten_password",
            "message": "I cannot get in.",
        },
        **_through_proxy(client_ip),
    )


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings) -> None:
    settings.BCBT_TRUSTED_PROXY_HOPS = 0
    request = RequestFactory().get("/", **_through_proxy("203.0.113.5"))
    assert client_address(request) == PROXY


def test_two_trusted_proxies_take_the_second_entry_from_the_right(settings) -> None:
    settings.BCBT_TRUSTED_PROXY_HOPS = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.3"
    )
    assert client_address(request) == "203.0.113.5"


def test_a_forwarded_entry_that_is_not_an_address_falls_back_to_the_proxy(
    behind_one_proxy,
) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address(request) == PROXY


def test_behind_one_proxy_two_clients_are_locked_out_separately(
    behind_one_proxy, patient, episode
) -> None:
    for _ in range(5):
        _sign_in(patient.username, "wrong-password-here", client_ip="203.0.113.5")
    assert _sign_in(patient.username, PASSWORD, client_ip="203.0.113.5").status_code == 429
    assert _sign_in(patient.username, PASSWORD, client_ip="198.51.100.9").status_code == 302


def test_a_spoofed_forwarded_entry_does_not_escape_the_lockout(
    behind_one_proxy, patient, episode
) -> None:
    for attempt in range(5):
        _sign_in(
            patient.username,
            "wrong-password-here",
            client_ip="203.0.113.5",
            spoofed=f"192.0.2.{attempt + 1}",
        )
    response = _sign_in(patient.username, PASSWORD, client_ip="203.0.113.5", spoofed="192.0.2.99")
    assert response.status_code == 429


def test_the_support_forms_per_ip_limit_counts_each_client_behind_the_proxy(
    behind_one_proxy, settings, db
) -> None:
    limit = settings.BCBT_SUPPORT_LIMIT_PER_IP
    for number in range(limit):
        assert _ask_for_help(f"person{number}@example.org", "203.0.113.5").status_code == 302
    assert _ask_for_help("one-more@example.org", "203.0.113.5").status_code == 429
    assert _ask_for_help("someone-else@example.org", "198.51.100.9").status_code == 302


def test_an_audit_row_records_the_client_not_the_proxy(
    behind_one_proxy, service_admin_client, episode
) -> None:
    service_admin_client.get(
        f"/admin/care/episode/{episode.pk}/change/",
        **_through_proxy("203.0.113.5", spoofed="192.0.2.1"),
    )
    event = AuditEvent.objects.get(action="admin.view.episode")
    assert event.ip_address == "203.0.113.5"
