"""Sending a claimed batch side by side: a small pool of threads, each with its own open email
connection, each taking a token from the shared send rate before every message.

Threads only talk to the provider; every database read and write stays on the dispatcher's own
thread (Django connections are per thread, and the claim's rows are already loaded).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from notifications.channels import PermanentDeliveryError, deliver, describe_error, uses_notify
from notifications.messages import OutgoingMessage
from notifications.models import Notification, NotificationChannel
from notifications.ratelimit import send_rate_limiter

SENT = "sent"
FAILED = "failed"
PERMANENT = "permanent"
# Not tried at all (no send-rate token in time, or the claim is too old to send safely).
NOT_TRIED = "not_tried"


@dataclass(frozen=True)
class Outcome:
    kind: str
    reference: str = ""
    error: str = ""


class _EmailConnections:
    """One open email connection per sending thread, closed (QUIT) after the batch is recorded:
    the server's answer to QUIT is then never between an accepted message and its record."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._opened: list[BaseEmailBackend] = []
        self._lock = threading.Lock()

    def get(self) -> BaseEmailBackend:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = get_connection(fail_silently=False)
            connection.open()
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def discard(self) -> None:
        """Drop this thread's connection after an error: the next message opens a fresh one."""
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def close_all(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            with contextlib.suppress(Exception):
                connection.close()


def _send_one(
    row: Notification,
    message: OutgoingMessage,
    connections: _EmailConnections,
    deadline: float,
) -> Outcome:
    # A send that starts after the deadline could still be under way when another dispatcher
    # takes the claim over: leave the row for later instead.
    if time.monotonic() > deadline:
        return Outcome(NOT_TRIED)
    limiter = send_rate_limiter()
    if not limiter.acquire(row.channel, max_wait=settings.NOTIFICATIONS_RATE_MAX_WAIT_SECONDS):
        return Outcome(NOT_TRIED, error="rate")
    smtp = row.channel == NotificationChannel.EMAIL and not uses_notify(row.channel)
    try:
        connection = connections.get() if smtp else None
        reference = deliver(notification=row, message=message, connection=connection)
    except PermanentDeliveryError as error:
        return Outcome(PERMANENT, error=describe_error(error))
    except Exception as error:
        # Anything else may be temporary (a timeout, a provider's 5xx). The connection may be
        # half-way through a conversation, so it is not reused.
        if smtp:
            connections.discard()
        return Outcome(FAILED, error=describe_error(error))
    return Outcome(SENT, reference=reference)


@contextlib.contextmanager
def _pool(width: int) -> Iterator[ThreadPoolExecutor]:
    executor = ThreadPoolExecutor(max_workers=width, thread_name_prefix="bcbt-send")
    try:
        yield executor
    finally:
        executor.shutdown(wait=True)


# Complexity: sending threads, the rate limit and recording as each send finishes are one loop
# whose order bounds the duplicate window (README, notifications).
def send_all(  # noqa: C901
    *,
    rows: Sequence[Notification],
    messages: dict[int, OutgoingMessage],
    deadline: float,
    record: Callable[[list[tuple[Notification, Outcome]]], None],
) -> None:
    """Send ``rows`` and call ``record`` with each group of outcomes as soon as it is known.

    ``record`` runs on this thread, once per group of sends that finished together, so an
    accepted message is recorded within a database round trip of the provider's answer.
    """
    if not rows:
        return
    connections = _EmailConnections()
    width = max(1, min(int(settings.NOTIFICATIONS_SEND_THREADS), len(rows)))
    try:
        # Push reads and removes subscriptions as it sends, so it stays on this thread too.
        if width == 1 or rows[0].channel in (NotificationChannel.IN_APP, NotificationChannel.PUSH):
            # In-app rows need no provider: send them all, then record them at once.
            instant = rows[0].channel == NotificationChannel.IN_APP
            done: list[tuple[Notification, Outcome]] = []
            for row in rows:
                done.append((row, _send_one(row, messages[row.id], connections, deadline)))
                if not instant:
                    record(done)
                    done = []
            if done:
                record(done)
            return
        with _pool(width) as executor:
            waiting = iter(rows)
            pending: dict[Future[Outcome], Notification] = {}

            def submit_next() -> None:
                row = next(waiting, None)
                if row is not None:
                    future = executor.submit(
                        _send_one, row, messages[row.id], connections, deadline
                    )
                    pending[future] = row

            # At most ``width`` sends are under way or finished but unrecorded: a new send
            # starts only once a finished one is recorded. Otherwise a dispatcher thread slow
            # to record (a worker starved of CPU) lets accepted-but-unrecorded messages pile
            # up, and each of them is sent again if the worker dies (the duplicate window).
            for _ in range(width):
                submit_next()
            while pending:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                record([(pending.pop(future), future.result()) for future in finished])
                for _ in finished:
                    submit_next()
    finally:
        connections.close_all()
