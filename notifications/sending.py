"""Sending a claimed batch side by side: a small pool of threads, each with its own open email
connection, each taking a token from the shared send rate before every message.

Threads only talk to the provider; every database read and write stays on the dispatcher's own
thread (Django connections are per thread, and the claim's rows are already loaded). An email
over SMTP is recorded as sent just before the server can accept it (``smtp.py``): its sending
thread hands the row to the dispatcher's thread, which records it, and waits for the answer.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from notifications.channels import PermanentDeliveryError, deliver, describe_error, uses_notify
from notifications.messages import OutgoingMessage
from notifications.models import Notification, NotificationChannel
from notifications.ratelimit import send_rate_limiter
from notifications.smtp import NotHandedOver, UnconfirmedDelivery

SENT = "sent"
FAILED = "failed"
PERMANENT = "permanent"
# Not tried at all (no send-rate token in time, or the claim is too old to send safely).
NOT_TRIED = "not_tried"
# Given up before the server could accept it, because the early record did not happen (the
# claim is no longer this dispatcher's, or the database failed): the row is left as it is.
ABANDONED = "abandoned"
UNCONFIRMED = "Sent, but the server did not confirm it; not sent again, to avoid a duplicate."

# Records rows as sent before their emails can be accepted; returns the ids it recorded.
Handover = Callable[[list[Notification]], set[int]]


class _Ticket:
    def __init__(self, row: Notification, finish: Callable[[], None]) -> None:
        self.row = row
        self.finish = finish
        self.recorded = False
        self.error: BaseException | None = None
        self.answered = threading.Event()


class _Handovers:
    """Sending threads ask the dispatcher's own thread, which holds the database connection, to
    record a row as sent and then write the message's final line at once (``smtp.py``); the
    sending thread waits for that, then reads the server's answer."""

    def __init__(self, handover: Handover | None, events: queue.SimpleQueue[object]) -> None:
        self._handover = handover
        # Tickets from sending threads and finished sends, in the order they happen.
        self.events = events
        self._owner = threading.get_ident()
        self._lock = threading.Lock()
        self._closed = False

    def request(self, row: Notification, finish: Callable[[], None]) -> bool:
        if self._handover is None:
            finish()
            return True
        if threading.get_ident() == self._owner:
            if row.id not in self._handover([row]):
                return False
            finish()
            return True
        ticket = _Ticket(row, finish)
        with self._lock:
            if self._closed:
                return False
            self.events.put(ticket)
        ticket.answered.wait()
        if ticket.error is not None:
            raise ticket.error
        return ticket.recorded

    def serve(self, tickets: list[_Ticket]) -> None:
        recorded: set[int] = set()
        try:
            assert self._handover is not None
            recorded = self._handover([ticket.row for ticket in tickets])
            # Straight after the commit, before anything else: the only moment in which a
            # killed worker loses an email is between the two.
            for ticket in tickets:
                if ticket.row.id in recorded:
                    try:
                        ticket.finish()
                    except Exception as error:
                        ticket.error = error
        finally:
            for ticket in tickets:
                ticket.recorded = ticket.row.id in recorded
                ticket.answered.set()

    def close(self) -> None:
        """No more records: every waiting and later request is refused (its email abandoned)."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    item = self.events.get_nowait()
                except queue.Empty:
                    return
                if isinstance(item, _Ticket):
                    item.answered.set()


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
    handovers: _Handovers,
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
        reference = deliver(
            notification=row,
            message=message,
            connection=connection,
            before_accept=(lambda finish: handovers.request(row, finish)) if smtp else None,
        )
    except NotHandedOver:
        connections.discard()
        return Outcome(ABANDONED)
    except UnconfirmedDelivery:
        connections.discard()
        return Outcome(SENT, error=UNCONFIRMED)
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


def send_all(
    *,
    rows: Sequence[Notification],
    messages: dict[int, OutgoingMessage],
    deadline: float,
    record: Callable[[list[tuple[Notification, Outcome]]], None],
    handover: Handover | None = None,
) -> None:
    """Send ``rows`` and call ``record`` with each group of outcomes as soon as it is known.

    ``record`` runs on this thread, once per group of sends that finished together. So does
    ``handover``, once per group of emails whose sending threads wait to be recorded as sent
    before their server can accept them; without it, emails are sent and then recorded.
    """
    if not rows:
        return
    connections = _EmailConnections()
    events: queue.SimpleQueue[object] = queue.SimpleQueue()
    handovers = _Handovers(handover, events)
    width = max(1, min(int(settings.NOTIFICATIONS_SEND_THREADS), len(rows)))
    try:
        # Push reads and removes subscriptions as it sends, so it stays on this thread too.
        if width == 1 or rows[0].channel in (NotificationChannel.IN_APP, NotificationChannel.PUSH):
            # In-app rows need no provider: send them all, then record them at once.
            instant = rows[0].channel == NotificationChannel.IN_APP
            done: list[tuple[Notification, Outcome]] = []
            for row in rows:
                outcome = _send_one(row, messages[row.id], connections, deadline, handovers)
                done.append((row, outcome))
                if not instant:
                    record(done)
                    done = []
            if done:
                record(done)
            return
        with _pool(width) as executor:
            try:
                _send_side_by_side(
                    executor, width, rows, messages, deadline, record, connections, handovers
                )
            finally:
                # On an error here, no sending thread may wait for ever for its record.
                handovers.close()
    finally:
        connections.close_all()


# Complexity: sending threads, the early records and recording as each send finishes are one
# loop whose order is the delivery guarantee (README, "Delivery guarantees").
def _send_side_by_side(
    executor: ThreadPoolExecutor,
    width: int,
    rows: Sequence[Notification],
    messages: dict[int, OutgoingMessage],
    deadline: float,
    record: Callable[[list[tuple[Notification, Outcome]]], None],
    connections: _EmailConnections,
    handovers: _Handovers,
) -> None:
    waiting = iter(rows)
    pending: dict[Future[Outcome], Notification] = {}

    def submit_next() -> None:
        row = next(waiting, None)
        if row is not None:
            future = executor.submit(
                _send_one, row, messages[row.id], connections, deadline, handovers
            )
            pending[future] = row
            future.add_done_callback(handovers.events.put)

    # At most ``width`` sends are under way or finished but unrecorded: a new send starts only
    # once a finished one is recorded, however slowly this thread gets the CPU (a worker
    # starved of it).
    for _ in range(width):
        submit_next()
    while pending:
        arrived = [handovers.events.get()]
        with contextlib.suppress(queue.Empty):
            while True:
                arrived.append(handovers.events.get_nowait())
        tickets = [item for item in arrived if isinstance(item, _Ticket)]
        if tickets:
            handovers.serve(tickets)
        finished = [item for item in arrived if isinstance(item, Future)]
        if finished:
            record([(pending.pop(future), future.result()) for future in finished])
            for _ in finished:
                submit_next()
