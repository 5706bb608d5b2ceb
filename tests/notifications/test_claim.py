"""Claim, send, record: the claim commits before the send, the key goes to the provider, an
abandoned claim is taken over (after asking Notify), a batch costs a fixed number of queries,
and two dispatchers never send one row twice."""

from __future__ import annotations

import datetime
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.channels import message_id_for
from notifications.dispatch import notifications_dispatch, notifications_send_batch
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationState,
)
from notifications.services import notification_enqueue
from tests.notifications.backends import ClaimObservingBackend
from tests.notifications.conftest import london

pytestmark = pytest.mark.django_db
NOW = london(2026, 6, 2, 12, 0)


def _alert(recipient, number: int = 0, channel: str = "email") -> Notification:
    row, _ = notification_enqueue(
        key=f"alert:{number}:{recipient.pk}",
        recipient=recipient,
        kind=NotificationKind.STAFF_ALERT,
        subject="A risk flag needs your review",
        body="Sign in to review it.",
        channel=channel,
        due_at=NOW - datetime.timedelta(minutes=1),
    )
    return row


def test_the_claim_is_committed_before_the_send_and_no_transaction_is_open(pwp, settings) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.ClaimObservingBackend"
    ClaimObservingBackend.seen = []
    row = _alert(pwp)
    notifications_dispatch(channel="email", now=NOW)
    # pytest-django wraps the test in one transaction, so "no transaction" means only that one.
    assert ClaimObservingBackend.seen == [(True, NotificationState.SENDING)]
    row.refresh_from_db()
    assert row.state == NotificationState.SENT
    assert row.claimed_at is None


def test_an_email_carries_a_message_id_derived_from_its_key(pwp) -> None:
    row = _alert(pwp)
    notifications_dispatch(channel="email", now=NOW)
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == message_id_for(row.key)
    assert message_id_for(row.key) == message_id_for(row.key) != message_id_for("other")


def test_a_young_claim_is_left_to_its_dispatcher(pwp) -> None:
    row = _alert(pwp)
    Notification.objects.filter(pk=row.pk).update(
        state=NotificationState.SENDING, claimed_at=NOW - datetime.timedelta(seconds=299)
    )
    notifications_dispatch(channel="email", now=NOW)
    assert mail.outbox == []


def test_an_abandoned_smtp_claim_is_sent_again_and_counts_as_an_attempt(pwp) -> None:
    row = _alert(pwp)
    Notification.objects.filter(pk=row.pk).update(
        state=NotificationState.SENDING, claimed_at=NOW - datetime.timedelta(seconds=301)
    )
    notifications_dispatch(channel="email", now=NOW)
    row.refresh_from_db()
    assert len(mail.outbox) == 1
    assert row.state == NotificationState.SENT
    assert row.attempts == 2


def test_an_abandoned_notify_claim_is_not_sent_again_when_notify_has_it(pwp, fake_notify) -> None:
    accepted = _alert(pwp, 1)
    lost = _alert(pwp, 2)
    # The dead dispatcher got the first message to Notify, not the second.
    fake_notify.sent.append({"type": "email", "reference": accepted.key})
    Notification.objects.filter(pk__in=[accepted.pk, lost.pk]).update(
        state=NotificationState.SENDING, claimed_at=NOW - datetime.timedelta(minutes=10)
    )
    notifications_dispatch(channel="email", now=NOW)
    accepted.refresh_from_db()
    lost.refresh_from_db()
    assert accepted.state == lost.state == NotificationState.SENT
    assert accepted.provider_reference == "notify-1"
    assert [sent["reference"] for sent in fake_notify.sent] == [accepted.key, lost.key]


def test_the_notify_client_gives_up_after_its_timeout(pwp, fake_notify, settings) -> None:
    settings.GOVUK_NOTIFY_TIMEOUT = 7.5
    _alert(pwp)
    notifications_dispatch(channel="email", now=NOW)
    assert fake_notify.timeouts == [7.5]


def _in_app_rows(pwp, count: int) -> None:
    for number in range(count):
        _alert(pwp, number, channel=NotificationChannel.IN_APP)


def _batch_queries(count: int, pwp) -> int:
    Notification.objects.all().delete()
    _in_app_rows(pwp, count)
    with CaptureQueriesContext(connection) as queries:
        result = notifications_send_batch(channel=NotificationChannel.IN_APP, now=NOW, size=100)
    assert result is not None
    assert result.sent == count
    return len(queries)


def test_a_batch_costs_the_same_queries_whatever_its_size(pwp) -> None:
    # Claim (two queries and its savepoint), load, record: never a query per row.
    assert _batch_queries(3, pwp) == _batch_queries(60, pwp) <= 8


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """An SMTP server that accepts the connection and never says a word (it hangs up after 5 s
    so that a dispatcher without a timeout fails the test instead of hanging it)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []

    def serve() -> None:
        server.settimeout(6)
        try:
            while True:
                accepted.append(server.accept()[0])
        except OSError:
            return

    threading.Thread(target=serve, daemon=True).start()

    def hang_up() -> None:
        for client in accepted:
            client.close()

    threading.Timer(5, hang_up).start()
    yield server.getsockname()[1]
    server.close()
    for client in accepted:
        client.close()


def test_an_smtp_server_that_never_answers_fails_the_send_within_email_timeout(
    pwp, settings, silent_smtp
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_smtp
    settings.EMAIL_TIMEOUT = 0.5
    row = _alert(pwp)
    started = time.monotonic()
    result = notifications_dispatch(channel="email", now=NOW)
    assert time.monotonic() - started < 3
    row.refresh_from_db()
    assert result.failed == 1
    assert row.state == NotificationState.FAILED
    assert "timed out" in row.last_error.lower()
    assert row.next_attempt_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_every_row_exactly_once(pwp, settings) -> None:
    settings.NOTIFICATIONS_CLAIM_BATCH = 7
    for number in range(60):
        _alert(pwp, number)

    def dispatcher() -> None:
        try:
            notifications_dispatch(channel="email", now=NOW)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent_ids = [int(message.extra_headers["X-Bcbt-Notification"]) for message in mail.outbox]
    assert len(sent_ids) == len(set(sent_ids)) == 60
    assert Notification.objects.filter(state=NotificationState.SENT).count() == 60
