"""Email backends for tests: one that always fails, one that records into the database."""

from __future__ import annotations

import os
import smtplib
import threading
import time
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.db import connection

RECORD_TABLE = "notifications_test_sent_email"


class TemporarilyFailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionError("mail server at mail.example.org timed out for alice@example.org")


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPRecipientsRefused({"alice@example.org": (550, b"no such mailbox")})


class DatabaseRecordingBackend(BaseEmailBackend):
    """Records each send in a table, committed at once as a provider's acceptance is: a worker
    killed before the record leaves none, as a provider that never got the message would, and
    one killed after it has "sent" the message whatever the outbox says. It sleeps first
    (``BCBT_TEST_EMAIL_DELAY`` seconds) so a test can kill a worker in the middle of a batch.
    It runs on the dispatcher's sending threads, so it closes its own connection."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        delay = float(os.environ.get("BCBT_TEST_EMAIL_DELAY", "0"))
        for message in email_messages:
            time.sleep(delay)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {RECORD_TABLE} (notification_id, worker_pid) VALUES (%s, %s)",  # noqa: S608
                    [int(message.extra_headers["X-Bcbt-Notification"]), os.getpid()],
                )
        if threading.current_thread() is not threading.main_thread():
            connection.close()
        return len(email_messages)


class ClaimObservingBackend(BaseEmailBackend):
    """Notes, at the moment of each send, whether a transaction is open and the row's state as
    committed in the database (read on a connection of its own)."""

    seen: list[tuple[bool, str]] = []

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from django.db import connections

        from notifications.models import Notification

        for message in email_messages:
            row_id = int(message.extra_headers["X-Bcbt-Notification"])
            state = Notification.objects.using("default").get(pk=row_id).state
            ClaimObservingBackend.seen.append((connections["default"].in_atomic_block, state))
        return len(email_messages)
