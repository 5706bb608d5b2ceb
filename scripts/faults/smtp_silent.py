"""Fault: an SMTP server that accepts the connection and never answers.

The send run must end within EMAIL_TIMEOUT (here 2 s) instead of hanging with its claim held;
the row is failed with a retry time, and once a working server answers it is sent, once.

``python -m scripts.faults.smtp_silent`` prints the result as JSON.
"""

from __future__ import annotations

import datetime
import json
import time

from scripts.faults._mail import (
    OK,
    SILENT,
    django_environment,
    result,
    smtp_relay,
    throwaway_database,
    use_relay,
)

EMAIL_TIMEOUT = 2.0


def run() -> dict[str, object]:
    django_environment()
    with throwaway_database("smtp_silent"):
        from django.utils import timezone

        from accounts.models import Role, User
        from notifications.dispatch import notifications_dispatch
        from notifications.models import Notification, NotificationKind, NotificationState
        from notifications.services import notification_enqueue

        pwp = User.objects.create(username="fault-pwp", email="pwp@example.org", role=Role.PWP)
        now = timezone.now()
        row, _ = notification_enqueue(
            key="fault:smtp-silent:1",
            recipient=pwp,
            kind=NotificationKind.STAFF_ALERT,
            subject="A risk flag needs your review",
            body="Sign in to review it.",
            due_at=now,
        )
        with smtp_relay(mode=SILENT) as silent:
            use_relay(silent, timeout=EMAIL_TIMEOUT)
            started = time.monotonic()
            first = notifications_dispatch(channel="email", now=now)
            longest = time.monotonic() - started
        row.refresh_from_db()
        after_silence = (row.state, row.attempts, row.next_attempt_at, row.claimed_at)
        with smtp_relay(mode=OK) as relay:
            use_relay(relay, timeout=EMAIL_TIMEOUT)
            # Not before its retry time: nothing is sent at once.
            early = notifications_dispatch(channel="email", now=now)
            retry_at = row.next_attempt_at or now
            later = notifications_dispatch(
                channel="email", now=retry_at + datetime.timedelta(seconds=1)
            )
            accepted, duplicated = len(relay.accepted), relay.duplicated()
        sent = Notification.objects.filter(state=NotificationState.SENT).count()
        unsettled = Notification.objects.exclude(state=NotificationState.SENT).count()
        problems = []
        if longest > EMAIL_TIMEOUT * 2 + 1:
            problems.append(f"the silent send took {longest:.1f} s")
        if after_silence[0] != NotificationState.FAILED or after_silence[2] is None:
            problems.append(f"after the silent server the row was {after_silence[0]}")
        if after_silence[3] is not None:
            problems.append("the claim was still held")
        if early.sent:
            problems.append("retried before its retry time")
        return result(
            scenario="smtp_silent",
            expected=1,
            sent=sent,
            duplicated=duplicated + max(0, accepted - 1),
            lost=unsettled,
            longest_request_s=longest,
            notes=(
                f"EMAIL_TIMEOUT {EMAIL_TIMEOUT:.0f} s: the silent run ended in {longest:.1f} s "
                f"({first.failed} failed, claim released, retry at +"
                f"{((retry_at - now).total_seconds()):.0f} s); sent on retry: {later.sent}"
                + (f"; PROBLEMS: {'; '.join(problems)}" if problems else "")
            ),
        )


if __name__ == "__main__":
    print(json.dumps(run()))
