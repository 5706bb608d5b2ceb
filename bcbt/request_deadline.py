"""No web request waits more than ``BCBT_REQUEST_DEADLINE_SECONDS`` on a frozen database.

A frozen PostgreSQL (SIGSTOP, a hung host, a network that drops packets) keeps its connections
open and never replies, and libpq has no read timeout: a query on a persistent connection
would wait until gunicorn kills the worker (30 s and more, issue #16), dropping the request
with no answer, so a patient cannot tell whether their rating saved.

At the deadline a timer signal shuts down the sockets of this thread's database connections
that have a query in flight. The blocked query then fails exactly as it does when PostgreSQL
is stopped (an ``OperationalError``; any transaction rolls back, nothing half-written), and the
person gets the "try again" page with status 503. The timer repeats every half second, so a
rollback or a second query that blocks again is cut short too. A request that is opening a
connection at the deadline gets ``RequestDeadlineExceeded`` raised into it instead, which ends
in the same page. A request that is merely slow in Python is left alone.

Signals reach only the main thread: under gunicorn's sync workers (docker-compose.yml, the
Dockerfile) and the test client that is where requests run. Elsewhere (the development
server's threads, a live-server test) the middleware does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from psycopg.pq import TransactionStatus

logger = logging.getLogger(__name__)

_REPEAT_SECONDS = 0.5
_CONNECT_FUNCTIONS = frozenset({"connect", "_wait_conn", "wait_conn"})


class RequestDeadlineExceeded(Exception):
    """Raised at the deadline into a request that is opening a database connection: libpq's
    connect timeout (2 s at least) would otherwise come on top of the deadline."""


def _cut_waiting_database_sockets() -> int:
    """Shut down the sockets of connections with a query in flight; return how many.

    Only those: a statement cannot legitimately still be running here (the statement timeout
    is shorter than the deadline), whereas an idle connection of a page that is merely slow
    in Python must keep working."""
    cut = 0
    for wrapper in connections.all(initialized_only=True):
        raw = wrapper.connection
        pgconn = getattr(raw, "pgconn", None)
        if pgconn is None or getattr(raw, "closed", True):
            continue
        with contextlib.suppress(Exception):
            if pgconn.transaction_status != TransactionStatus.ACTIVE:
                continue
            # A duplicate of libpq's descriptor: shutting it down wakes the blocked wait with
            # "connection closed", while libpq still owns (and later closes) the original.
            duplicate = socket.socket(fileno=os.dup(pgconn.socket))
            try:
                duplicate.shutdown(socket.SHUT_RDWR)
                cut += 1
            finally:
                duplicate.close()
    return cut


def _connecting(frame: FrameType | None) -> bool:
    """Whether the interrupted code is psycopg opening a connection."""
    while frame is not None:
        code = frame.f_code
        if "psycopg" in code.co_filename and code.co_name in _CONNECT_FUNCTIONS:
            return True
        frame = frame.f_back
    return False


def _close_broken_connections() -> None:
    for wrapper in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):
            wrapper.close()


def _try_again_response() -> HttpResponse:
    return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": "30"})


def request_deadline_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        seconds = float(settings.BCBT_REQUEST_DEADLINE_SECONDS)
        if seconds <= 0 or threading.current_thread() is not threading.main_thread():
            return get_response(request)
        fired = threading.Event()

        def on_deadline(signum: int, frame: FrameType | None) -> None:
            if _cut_waiting_database_sockets():
                fired.set()
            elif _connecting(frame):
                fired.set()
                raise RequestDeadlineExceeded(f"no database connection within {seconds} s")

        previous = signal.signal(signal.SIGALRM, on_deadline)
        signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_SECONDS)
        try:
            response = get_response(request)
        except RequestDeadlineExceeded:
            response = _try_again_response()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if not fired.is_set():
            return response
        # The connections we cut must not be reused by the next request.
        _close_broken_connections()
        logger.warning(
            "Request passed the %s s deadline waiting for the database (status %s)",
            seconds,
            response.status_code,
        )
        # A page that finished anyway (its database work was done) stands; an error becomes
        # the "try again" page.
        return response if response.status_code < 500 else _try_again_response()

    return middleware
