"""A persistent database connection is checked at the start of each request without a round trip
when it plainly is fine.

Django's health check (``CONN_HEALTH_CHECKS``, on in bcbt/settings.py) sends ``SELECT 1`` before
a request's first query on a connection kept from an earlier request, so that a connection the
database closed meanwhile (a restart, a failover, an idle timeout) is replaced instead of failing
the request. That is a whole round trip on every request: for the mood write, as much as a
third of its own database work (``python -m bench http``).

When PostgreSQL ends a connection it sends a last message and closes its end, so the socket
becomes readable; a connection at rest has nothing to read. So at the start of a request, a
connection that is idle (no transaction open, not broken) and has nothing waiting on its
socket is taken as checked. Anything else (data waiting, a transaction left open, a broken
connection) gets Django's ``SELECT 1`` as before, and is replaced if that fails. A database
host that vanished without closing anything is not found by either check until a query waits
on it; the request deadline (bcbt/request_deadline.py) answers that one in both cases.

Celery tasks keep Django's own check: it runs there outside this signal.
"""

from __future__ import annotations

import contextlib
import select
from typing import Any

from django.core.signals import request_started
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


def connection_at_rest(wrapper: BaseDatabaseWrapper) -> bool:
    """Whether a PostgreSQL connection is open, idle and has nothing waiting to be read."""
    from psycopg.pq import ConnStatus, TransactionStatus

    raw = wrapper.connection
    pgconn = getattr(raw, "pgconn", None)
    if pgconn is None or raw.closed or raw.broken:
        return False
    if pgconn.status != ConnStatus.OK or pgconn.transaction_status != TransactionStatus.IDLE:
        return False
    waiting = select.poll()
    waiting.register(pgconn.socket, select.POLLIN | select.POLLPRI)
    return not waiting.poll(0)


def _check_connections_cheaply(sender: Any, **kwargs: Any) -> None:
    # Runs after Django's own request_started handler (connected when django.db was imported),
    # which has just marked every kept connection as needing its health check. (django-stubs
    # do not declare the two health-check attributes.)
    for wrapper in connections.all(initialized_only=True):
        if (
            wrapper.vendor != "postgresql"
            or wrapper.connection is None
            or not wrapper.health_check_enabled  # type: ignore[attr-defined]
            or wrapper.health_check_done  # type: ignore[attr-defined]
        ):
            continue
        with contextlib.suppress(Exception):
            if connection_at_rest(wrapper):
                wrapper.health_check_done = True  # type: ignore[attr-defined]


DISPATCH_UID = "bcbt.connection_check"


def connect() -> None:
    request_started.connect(_check_connections_cheaply, dispatch_uid=DISPATCH_UID)
