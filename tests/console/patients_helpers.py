"""Fixtures and helpers for the console's patients and staff tests: a working mail box, a mail
provider that is down, the module content, dates in the service's time zone. A test module
imports the fixtures it uses (``_console_mail`` and ``modules_loaded`` apply to every test of a
module that imports them)."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from modules.services import modules_load
from scripts.faults._servers import free_port


@pytest.fixture(autouse=True)
def modules_loaded(db: None) -> None:
    # The data migration loads content, but a transactional test elsewhere may have flushed it.
    modules_load()


@pytest.fixture(autouse=True)
def _console_mail(settings: Any) -> None:
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
