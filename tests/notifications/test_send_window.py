"""The duplicate window is bounded by the sending threads: a thread never starts another send
while one it finished is still unrecorded, however slowly the dispatcher's own thread records
(a worker starved of CPU). Found by scripts/faults/worker_kill.py: 25 unrecorded at one kill with
2 processes of 8 threads."""

from __future__ import annotations

import threading

import pytest

from notifications.messages import compose
from notifications.models import Notification, NotificationKind
from notifications.sending import SENT, Outcome, send_all
from notifications.services import notification_enqueue

pytestmark = pytest.mark.django_db


def test_accepted_but_unrecorded_sends_never_exceed_the_sending_threads(
    pwp, settings, monkeypatch
) -> None:
    settings.NOTIFICATIONS_SEND_THREADS = 4
    settings.NOTIFICATIONS_SEND_RATES = {"email": 0.0, "sms": 0.0, "in_app": 0.0}
    rows = [
        notification_enqueue(
            key=f"window:{number}",
            recipient=pwp,
            kind=NotificationKind.STAFF_ALERT,
            subject="A risk flag needs your review",
            body="Sign in to review it.",
        )[0]
        for number in range(40)
    ]
    lock = threading.Lock()
    accepted: list[int] = []
    everything_accepted = threading.Event()

    def deliver(*, notification: Notification, message: object, **_: object) -> str:
        with lock:
            accepted.append(notification.id)
            if len(accepted) == len(rows):
                everything_accepted.set()
        return "ok"

    monkeypatch.setattr("notifications.sending.deliver", deliver)
    recorded: list[int] = []
    widest: list[int] = []

    def record(done: list[tuple[Notification, Outcome]]) -> None:
        # A dispatcher thread slow to record, as under CPU starvation: the first record waits
        # (bounded) to see whether the sending threads go on without it.
        if not recorded:
            everything_accepted.wait(timeout=1.0)
        with lock:
            widest.append(len(accepted) - len(recorded))
        recorded.extend(row.id for row, outcome in done if outcome.kind == SENT)

    send_all(
        rows=rows,
        messages={row.id: compose(notification=row, parts=[]) for row in rows},
        deadline=float("inf"),
        record=record,
    )
    assert sorted(recorded) == sorted(row.id for row in rows)
    assert max(widest) <= 4
