"""An email over SMTP is recorded as sent before its server can accept it, so a worker killed at
any moment never sends it twice (notifications/smtp.py). Against a real local SMTP relay
(scripts/faults/_mail.py), which counts what it accepted by Message-ID. Found by
scripts/faults/worker_kill.py: 4 duplicates in 300 on main, each a message the relay had accepted
and the worker had not yet recorded when it was killed."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError
from django.db.models import QuerySet

from notifications import dispatch
from notifications.channels import message_id_for
from notifications.dispatch import notifications_send_batch
from notifications.models import Notification, NotificationKind, NotificationState
from notifications.sending import UNCONFIRMED
from notifications.services import notification_enqueue
from scripts.faults._mail import Relay, smtp_relay
from tests.notifications.conftest import london

pytestmark = pytest.mark.django_db
NOW = london(2026, 6, 2, 12, 0)


def _alerts(recipient: Any, count: int) -> list[Notification]:
    return [
        notification_enqueue(
            key=f"handover:{number}",
            recipient=recipient,
            kind=NotificationKind.STAFF_ALERT,
            subject="A risk flag needs your review",
            body="Sign in to review it.",
            due_at=NOW - datetime.timedelta(minutes=1),
        )[0]
        for number in range(count)
    ]


def _use(settings: Any, relay: Relay, *, timeout: float = 5.0, threads: int = 4) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = relay.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = timeout
    settings.NOTIFICATIONS_SEND_THREADS = threads


@pytest.fixture
def relay() -> Iterator[Relay]:
    with smtp_relay() as running:
        yield running


def _abandoned(relay: Relay) -> int:
    """The relay's count of dropped messages, once its thread has read the dropped connection."""
    deadline = time.monotonic() + 10
    while relay.abandoned == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    return relay.abandoned


def _accepted(relay: Relay) -> list[str]:
    with relay.lock:
        return [one.message_id for one in relay.accepted]


@pytest.mark.parametrize("threads", [1, 4])
def test_each_email_is_recorded_as_sent_before_the_server_has_it(
    pwp, settings, relay, monkeypatch, threads: int
) -> None:
    _use(settings, relay, threads=threads)
    rows = _alerts(pwp, 12)
    original = dispatch._record_before_accept
    at_record: dict[int, tuple[bool, int]] = {}

    def watched(batch: list[Notification], claimed_at: datetime.datetime) -> set[int]:
        accepted = set(_accepted(relay))
        recorded = original(batch, claimed_at)
        for row in batch:
            at_record[row.id] = (
                message_id_for(row.key) in accepted,
                Notification.objects.filter(id=row.id, state=NotificationState.SENT).count(),
            )
        return recorded

    monkeypatch.setattr(dispatch, "_record_before_accept", watched)
    result = notifications_send_batch(channel="email", now=NOW)
    assert result is not None
    assert result.sent == 12
    # When each row was recorded, the relay did not have its message yet, and the record held.
    assert at_record == {row.id: (False, 1) for row in rows}
    assert sorted(_accepted(relay)) == sorted(message_id_for(row.key) for row in rows)
    for row in Notification.objects.filter(id__in=[row.id for row in rows]):
        assert (row.state, row.attempts, row.claimed_at, row.last_error) == (
            NotificationState.SENT,
            1,
            None,
            "",
        )


def test_an_email_whose_claim_was_taken_over_is_abandoned_unaccepted(
    pwp, settings, relay, monkeypatch
) -> None:
    _use(settings, relay, threads=1)
    [row] = _alerts(pwp, 1)
    original = dispatch._record_before_accept
    other_claim = NOW + datetime.timedelta(minutes=6)

    def taken_over(batch: list[Notification], claimed_at: datetime.datetime) -> set[int]:
        # Another dispatcher took the claim over while this one was slow to send.
        Notification.objects.filter(id=row.id).update(claimed_at=other_claim)
        return original(batch, claimed_at)

    monkeypatch.setattr(dispatch, "_record_before_accept", taken_over)
    notifications_send_batch(channel="email", now=NOW)
    assert _accepted(relay) == []
    assert _abandoned(relay) == 1
    row.refresh_from_db()
    # Left to the dispatcher that holds the claim now.
    assert (row.state, row.claimed_at, row.attempts) == (
        NotificationState.SENDING,
        other_claim,
        0,
    )


def test_an_email_that_cannot_be_recorded_first_is_not_sent(
    pwp, settings, relay, monkeypatch
) -> None:
    _use(settings, relay, threads=1)
    [row] = _alerts(pwp, 1)
    original = dispatch._record_before_accept

    def failing_select_for_update(*args: object, **kwargs: object) -> None:
        raise OperationalError("the server closed the connection unexpectedly")

    def record_on_a_broken_database(
        batch: list[Notification], claimed_at: datetime.datetime
    ) -> set[int]:
        with monkeypatch.context() as patched:
            patched.setattr(QuerySet, "select_for_update", failing_select_for_update)
            return original(batch, claimed_at)

    monkeypatch.setattr(dispatch, "_record_before_accept", record_on_a_broken_database)
    notifications_send_batch(channel="email", now=NOW)
    assert _accepted(relay) == []
    assert _abandoned(relay) == 1
    row.refresh_from_db()
    # Still claimed: taken over after the claim timeout and sent then, once.
    assert row.state == NotificationState.SENDING


def test_a_refused_final_line_is_recorded_as_a_failure_and_retried(pwp, settings) -> None:
    with smtp_relay(data_reply="451 4.3.0 try again later") as relay:
        _use(settings, relay, threads=1)
        [row] = _alerts(pwp, 1)
        notifications_send_batch(channel="email", now=NOW)
    assert _accepted(relay) == []
    row.refresh_from_db()
    assert (row.state, row.attempts, row.sent_at) == (NotificationState.FAILED, 1, None)
    assert row.next_attempt_at is not None
    assert row.next_attempt_at > NOW
    assert "451" in row.last_error


def test_no_answer_after_the_final_line_counts_as_sent_and_is_never_sent_again(
    pwp, settings
) -> None:
    with smtp_relay(data_reply=None) as relay:
        _use(settings, relay, timeout=0.5, threads=1)
        [row] = _alerts(pwp, 1)
        notifications_send_batch(channel="email", now=NOW)
        assert (
            notifications_send_batch(channel="email", now=NOW + datetime.timedelta(hours=1)) is None
        )
    assert _accepted(relay) == [message_id_for(row.key)]
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (NotificationState.SENT, 1, UNCONFIRMED)
