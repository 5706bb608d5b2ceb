"""A kept database connection is checked at the start of a request: without a round trip when it
is at rest, and replaced when the database closed it (operations/connection_check.py)."""

from __future__ import annotations

import select
from typing import Any

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections

from operations import connection_check

connection = connections["default"]

pytestmark = pytest.mark.usefixtures("postgres", "transactional_db")


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _new_request() -> None:
    # What the WSGI handler does between two requests on a kept connection.
    request_finished.send(sender=None)
    request_started.send(sender=None)


@pytest.fixture
def health_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Django's SELECT 1 health checks made, with their outcome."""
    made: list[bool] = []
    original = type(connection).is_usable

    def counting(self: Any) -> bool:
        usable = original(self)
        made.append(usable)
        return usable

    monkeypatch.setattr(type(connection), "is_usable", counting)
    # Django's test client reconnects Django's own request_started handler after each request,
    # which puts it after ours; the WSGI handler never does. Put them back in production's order.
    # An earlier test may have left either handler out or in another order: connect both
    # afresh, Django's first.
    request_started.disconnect(close_old_connections)
    request_started.disconnect(dispatch_uid=connection_check.DISPATCH_UID)
    request_started.connect(close_old_connections)
    connection_check.connect()
    # As in production (bcbt/settings.py), from the next connection on.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    return made


def test_a_connection_at_rest_is_used_without_a_select_1(health_checks: list[bool]) -> None:
    first = _backend_pid()
    _new_request()
    assert _backend_pid() == first
    assert health_checks == []


def test_a_connection_the_database_ended_is_replaced_before_the_request_uses_it(
    health_checks: list[bool],
) -> None:
    ended = _backend_pid()
    _new_request()
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [ended])
    # PostgreSQL's goodbye reaches the kept connection's socket.
    assert connection.connection is not None
    waiting = select.poll()
    waiting.register(connection.connection.pgconn.socket, select.POLLIN)
    assert waiting.poll(30_000)
    _new_request()
    assert _backend_pid() != ended
    assert health_checks == [False]
