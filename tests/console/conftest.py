"""Fixtures for the console tests: a working mail box, a mail provider that is down, and a
date in the future for a first appointment."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from scripts.faults._servers import free_port


@pytest.fixture(autouse=True)
def _mail_settings(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BCBT_BASE_URL = "https://bcbt.example.org"


@pytest.fixture
def email_provider_down(settings: Any) -> None:
    """The provider really refuses: Django's SMTP backend at a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2


def service_today(zone: str = "Europe/London") -> datetime.date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(zone))


def in_days(days: int) -> datetime.date:
    """A date ``days`` after today in the service's time zone (London in the tests)."""
    return service_today() + datetime.timedelta(days=days)


def link_path_from_last_email(pattern: str = r"/accounts/sign-in-link/[^\s/]+/") -> str:
    """The path of the link in the last email, checking it starts from BCBT_BASE_URL."""
    body = str(mail.outbox[-1].body)
    match = re.search(rf"https://bcbt\.example\.org({pattern})", body)
    assert match, body
    return match.group(1)
