"""Writes to the notification outbox. Callers enqueue inside their own transaction."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from notifications.models import Notification

if TYPE_CHECKING:
    from accounts.models import User


def notification_enqueue(
    *,
    key: str,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    patient: User | None = None,
    channel: str = "email",
    link: str = "",
    due_at: datetime.datetime | None = None,
) -> tuple[Notification, bool]:
    """Add a row to the outbox unless one with the same key exists; returns (row, created).

    Nothing is published to the broker here: a periodic task drains the outbox, so a web request
    never depends on Redis or Celery being up.
    """
    return Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient,
            "patient": patient,
            "kind": kind,
            "channel": channel,
            "subject": subject,
            "body": body,
            "link": link,
            "due_at": due_at or timezone.now(),
        },
    )
