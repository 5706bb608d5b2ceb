"""Shared fixtures: the personas of STYLE.md and the real services some tests need.

Personas: ``patient`` (treated by ``pwp``), ``other_patient`` (treated by ``other_pwp``),
``pwp``, ``other_pwp``, ``navigator`` and ``service_admin``, all in ``service``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import socket
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from accounts.models import User
from care.models import Episode, Service
from tests import factories

# The hazard log's status (docs/clinical-safety.md) after every run; fails the run when a test
# it names fails or does not exist. See tests/hazard_log.py.
from tests.hazard_log import (  # noqa: F401
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)

REQUIRE_SERVICES = os.environ.get("BCBT_REQUIRE_SERVICES") == "1"

# The instant every test starts at, unless it travels elsewhere itself. A weekday morning in
# London by default; `BCBT_TEST_NOW=2026-03-29T00:30:00+00:00 make test` runs the whole suite at
# another instant (CI runs it at several: an evening in quiet hours, a clock change).
DEFAULT_TEST_NOW = "2026-06-17T09:15:00+01:00"


def frozen_instant() -> datetime.datetime:
    """The frozen instant from ``BCBT_TEST_NOW`` (ISO 8601 with an offset), or the default."""
    raw = os.environ.get("BCBT_TEST_NOW") or DEFAULT_TEST_NOW
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError as error:
        raise pytest.UsageError(f"BCBT_TEST_NOW={raw!r} is not an ISO 8601 date-time") from error
    if moment.tzinfo is None:
        raise pytest.UsageError(f"BCBT_TEST_NOW={raw!r} needs an offset, e.g. +00:00")
    return moment


TEST_NOW = frozen_instant()


def missing_service(reason: str) -> None:
    """Skip with a visible reason, or fail when CI says every service must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (BCBT_REQUIRE_SERVICES=1 makes this a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    """Every test starts at ``TEST_NOW``: no test reads the wall clock.

    The clock then ticks from that instant, so code that waits (a worker starting, a lock's
    timeout) still sees time pass. Tests about midnight, weekends or clock changes travel
    there themselves with ``time_machine.travel``.
    """
    with time_machine.travel(TEST_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from operations.latency import latency_flush

    # A test that stops Redis must not break the next test.
    with contextlib.suppress(Exception):
        # Latency counts the last test left waiting go now, before the clear, not into this test.
        latency_flush()
        cache.clear()


@pytest.fixture
def service(db: None) -> Service:
    return factories.ServiceFactory.create()


@pytest.fixture
def pwp(service: Service) -> User:
    return factories.PwpFactory.create(username="pwp-alice", service=service)


@pytest.fixture
def other_pwp(service: Service) -> User:
    return factories.PwpFactory.create(username="pwp-bob", service=service)


@pytest.fixture
def navigator(service: Service) -> User:
    return factories.NavigatorFactory.create(username="navigator-nia", service=service)


@pytest.fixture
def service_admin(service: Service) -> User:
    return factories.ServiceAdminFactory.create(username="admin-asha", service=service)


@pytest.fixture
def patient(service: Service) -> User:
    return factories.PatientFactory.create(username="patient-charlie", service=service)


@pytest.fixture
def other_patient(service: Service) -> User:
    return factories.PatientFactory.create(username="patient-dana", service=service)


@pytest.fixture
def episode(patient: User, pwp: User, service: Service) -> Episode:
    return factories.make_episode(patient=patient, pwp=pwp, service=service)


@pytest.fixture
def other_episode(other_patient: User, other_pwp: User, service: Service) -> Episode:
    return factories.make_episode(patient=other_patient, pwp=other_pwp, service=service)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def patient_client(patient: User, episode: Episode) -> Client:
    return client_for(patient)


@pytest.fixture
def pwp_client(pwp: User) -> Client:
    return client_for(pwp)


@pytest.fixture
def other_pwp_client(other_pwp: User) -> Client:
    return client_for(other_pwp)


@pytest.fixture
def navigator_client(navigator: User) -> Client:
    return client_for(navigator)


@pytest.fixture
def service_admin_client(service_admin: User) -> Client:
    return client_for(service_admin)


@pytest.fixture
def postgres(db: None) -> None:
    """For tests that need PostgreSQL's own behaviour (row locks, concurrent writers)."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")


def _port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    """The URL of a running Redis, for tests that need the real one."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing_service("needs Redis: set REDIS_URL=redis://...")
    if not _port_open(url, 6379):
        missing_service(f"Redis is not answering at {url}")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("BCBT_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.exists(path) or shutil.which(path)):
        missing_service(
            f"needs Chromium at {path} (apt-get install chromium, or set BCBT_CHROMIUM)"
        )
    return path


def pytest_report_header() -> str:
    return f"bcbt: every test starts at {TEST_NOW.isoformat()} (BCBT_TEST_NOW)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the 30-second freeze scenarios out unless BCBT_RUN_FAULTS=1: deselected, so an
    ordinary run (and CI, where a skip counts as a failure) simply does not collect them."""
    if os.environ.get("BCBT_RUN_FAULTS") == "1":
        return
    chosen = [item for item in items if item.get_closest_marker("opt_in_fault") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
        items[:] = chosen
