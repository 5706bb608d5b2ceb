"""No web request waits more than ``BCBT_REQUEST_DEADLINE_SECONDS`` on a frozen database.

A frozen PostgreSQL (SIGSTOP, a hung host, a network that drops packets) keeps its connections
open and never replies, and libpq has no read timeout: a query on a persistent connection
would wait until gunicorn kills the worker (30 s and more, issue #16), dropping the request
with no answer, so a patient cannot tell whether their rating saved.

At the deadline a timer signal shuts down the sockets of this thread's open database
connections. The blocked query then fails exactly as it does when PostgreSQL is stopped (an
``OperationalError``; any transaction rolls back, nothing half-written), and the person gets
the "try again" page with status 503. The timer repeats every half second, so a rollback or a
second query that blocks again is cut short too. When no connection is open to cut (the
request is connecting, or waiting on something else), the timer raises
``RequestDeadlineExceeded`` instead, which ends in the same page.

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

logger = logging.getLogger(__name__)

_REPEAT_SECONDS = 0.5


class RequestDeadlineExceeded(Exception):
    """Raised at the deadline when there was no open database connection to cut: the request
    is waiting on something else (most often a new connection to a frozen server, which only
    ``DATABASE_CONNECT_TIMEOUT`` would otherwise end)."""


def _cut_database_sockets() -> int:
    cut = 0
    for wrapper in connections.all(initialized_only=True):
        raw = wrapper.connection
        pgconn = getattr(raw, "pgconn", None)
        if pgconn is None or getattr(raw, "closed", False):
            continue
        with contextlib.suppress(Exception):
            # A duplicate of libpq's descriptor: shutting it down wakes the blocked wait with
            # "connection closed", while libpq still owns (and later closes) the original.
            duplicate = socket.socket(fileno=os.dup(pgconn.socket))
            try:
                duplicate.shutdown(socket.SHUT_RDWR)
                cut += 1
            finally:
                duplicate.close()
    return cut


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
            fired.set()
            if not _cut_database_sockets():
                raise RequestDeadlineExceeded(f"no answer within {seconds} s")

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
