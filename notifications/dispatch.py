"""The dispatcher: claim one notification at a time, send it, record what happened.

A claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` on one due row, inside a transaction that also
records the result; so two workers never hold the same row, and a worker that dies mid-send
leaves its row unchanged for the next dispatch (the lock goes with the connection). Committing
one row at a time keeps that window to the single message in flight. SQLite has no row locks;
there the embedded set-up runs one worker, and its IMMEDIATE transactions serialise writers.
"""

from __future__ import annotations

import datetime
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from notifications.channels import PermanentDeliveryError, deliver, describe_error
from notifications.messages import compose
from notifications.models import (
    PATIENT_KINDS,
    UNBUDGETED_KINDS,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationState,
)
from notifications.ratelimit import send_rate_limiter
from notifications.registry import rule_for

_jitter = secrets.SystemRandom()


def claimable(now: datetime.datetime) -> Q:
    """Rows a dispatcher may send at ``now``: queued by the gate, staff alerts and sign-in links
    straight from the outbox (never held back), and failures whose retry time has come."""
    ready = (
        Q(state=NotificationState.QUEUED)
        | Q(state=NotificationState.PENDING, kind__in=UNBUDGETED_KINDS)
        | Q(state=NotificationState.FAILED)
    )
    return (
        ready & Q(due_at__lte=now) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


def claimable_counts(now: datetime.datetime) -> dict[str, int]:
    rows = (
        Notification.objects.filter(claimable(now))
        .values("channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["channel"]: row["count"] for row in rows}


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff with jitter, so failures spread out instead of retrying in step."""
    base = float(settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
    ceiling = float(settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    delay = min(ceiling, base * 2 ** max(0, attempts - 1))
    return datetime.timedelta(seconds=delay * _jitter.uniform(0.5, 1.5))


def notification_send_next(*, channel: str, now: datetime.datetime | None = None) -> str | None:
    """Claim, send and record one due notification on ``channel``.

    Returns the row's new state, or None when nothing is claimable.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(claimable(moment), channel=channel)
            .order_by("due_at", "id")
            .first()
        )
        if notification is None:
            return None
        rule = rule_for(notification.kind) if notification.kind in PATIENT_KINDS else None
        if rule is not None and rule.stale_ids(notifications=[notification]):
            notification.state = NotificationState.WITHDRAWN
            notification.save(update_fields=["state"])
            return notification.state
        parts: list[Notification] = []
        if notification.kind == NotificationKind.DIGEST:
            parts = list(notification.parts.order_by("due_at", "id"))
        message = compose(notification=notification, parts=parts)
        notification.attempts += 1
        try:
            reference = deliver(notification=notification, message=message)
        except PermanentDeliveryError as error:
            notification.state = NotificationState.DEAD
            notification.last_error = describe_error(error)
        except Exception as error:
            # Anything else may be temporary (a timeout, a provider's 5xx): retry later with
            # backoff, until the attempts run out. The error text never holds an address.
            notification.last_error = describe_error(error)
            if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
                notification.state = NotificationState.DEAD
            else:
                notification.state = NotificationState.FAILED
                notification.next_attempt_at = moment + retry_delay(notification.attempts)
        else:
            notification.state = NotificationState.SENT
            notification.sent_at = moment
            notification.provider_reference = reference[:100]
            notification.last_error = ""
        notification.save(
            update_fields=[
                "state",
                "attempts",
                "last_error",
                "next_attempt_at",
                "sent_at",
                "provider_reference",
            ]
        )
        return notification.state


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    withdrawn: int = 0
    rate_limited: bool = False

    def add(self, state: str) -> None:
        if state == NotificationState.SENT:
            self.sent += 1
        elif state == NotificationState.FAILED:
            self.failed += 1
        elif state == NotificationState.DEAD:
            self.dead += 1
        elif state == NotificationState.WITHDRAWN:
            self.withdrawn += 1

    def merge(self, other: DispatchResult) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.dead += other.dead
        self.withdrawn += other.withdrawn
        self.rate_limited = self.rate_limited or other.rate_limited


def notifications_dispatch(
    *,
    channel: str,
    now: datetime.datetime | None = None,
    limit: int | None = None,
    time_budget: float | None = None,
) -> DispatchResult:
    """Send due notifications on one channel until none is left, ``limit`` is reached, the
    ``time_budget`` (seconds) is spent, or the shared send rate gives no token in time."""
    result = DispatchResult()
    limiter = send_rate_limiter()
    started = time.monotonic()
    handled = 0
    while limit is None or handled < limit:
        if time_budget is not None and time.monotonic() - started > time_budget:
            break
        if not limiter.acquire(channel, max_wait=settings.NOTIFICATIONS_RATE_MAX_WAIT_SECONDS):
            result.rate_limited = True
            break
        state = notification_send_next(channel=channel, now=now)
        if state is None:
            break
        result.add(state)
        handled += 1
    return result


def channels() -> Iterable[str]:
    return [choice.value for choice in NotificationChannel]
