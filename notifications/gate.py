"""The gate: what each patient's limits allow of everything waiting for them, decided in Python
for a whole sweep batch (``notifications/sweep.py`` reads the batch and writes the decisions).

For each patient, in due order:
- withdraw a row when the kind is switched off, no channel is left, a daily reminder's day is
  over, it is stale (today's mood is rated), or it has waited a week;
- hold the rest before the episode's first day, in quiet hours, during a pause, or when the
  day's or the week's budget is used up;
- otherwise queue it; several at once become one digest.

The rows are either waiting in the database (they have an id) or due now and not yet inserted
(no id): the sweep inserts the new ones already in the state decided here.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse

from notifications.batch_sql import values_in
from notifications.messages import digest_text
from notifications.models import (
    BUDGETED_KINDS,
    Notification,
    NotificationKind,
    NotificationState,
)
from notifications.preferences import PatientSettings

# Daily reminders are about one day; once it is over they are withdrawn, not sent late.
EXPIRES_WITH_THE_DAY = frozenset(
    {
        NotificationKind.MOOD_REMINDER,
        NotificationKind.MODULE_NUDGE,
        NotificationKind.APPOINTMENT_REMINDER,
        NotificationKind.QUESTIONNAIRE_DUE,
    }
)
# Anything else held back this long is withdrawn: a notice a week late helps no one.
LONGEST_HOLD = datetime.timedelta(days=7)
# Rows that count against the budget: queued, sent, or failed and about to be retried.
USING_BUDGET = (NotificationState.QUEUED, NotificationState.SENT, NotificationState.FAILED)

Usage = dict[tuple[int, datetime.date], int]


@dataclass(slots=True)
class NewNotification:
    """A notification due now and not yet inserted: the columns the sweep sets (the rest take
    the model's defaults at insert). Plain values, so that a batch of thousands costs little
    to build; the gate decides it exactly as a waiting ``Notification``."""

    key: str
    recipient_id: int
    patient_id: int
    kind: str
    channel: str
    in_app: bool
    subject: str
    body: str
    link: str
    due_at: datetime.datetime
    created_at: datetime.datetime
    local_day: datetime.date | None
    state: str = NotificationState.PENDING.value
    budget_day: datetime.date | None = None
    next_attempt_at: datetime.datetime | None = None
    digest_of_id: int | None = None
    id: None = None


Row = Notification | NewNotification


def usage_for(patient_ids: list[int], since: datetime.date) -> Usage:
    """Budgeted notifications per (patient, budget day) from ``since``: one grouped query."""
    counts = (
        Notification.objects.filter(
            values_in("recipient_id", patient_ids, sql_type="bigint"),
            kind__in=BUDGETED_KINDS,
            state__in=USING_BUDGET,
            budget_day__gte=since,
        )
        .values("recipient_id", "budget_day")
        .annotate(count=Count("id"))
    )
    usage: Usage = {}
    for row in counts:
        day = row["budget_day"]
        if day is not None:
            usage[(row["recipient_id"], day)] = row["count"]
    return usage


@dataclass
class Decisions:
    """The rows decided for a batch, each with its new state set on it."""

    withdraw: list[Row] = field(default_factory=list)
    hold: list[Row] = field(default_factory=list)
    queue: list[Row] = field(default_factory=list)
    digests: list[tuple[Notification, list[Row]]] = field(default_factory=list)


def digest_key(*, patient_id: int, first: Row) -> str:
    """A digest's unique key, from its first part's key (unique, and known before the part is
    inserted), hashed so that the key's length stays fixed."""
    return f"digest:{patient_id}:{hashlib.sha256(first.key.encode()).hexdigest()[:32]}"


def _mark(rows: list[Row], state: str) -> list[Row]:
    for row in rows:
        row.state = state
    return rows


# Length: the budget, quiet hours and digest rules decided together for one patient; their
# order is the contract.
def decide(
    *,
    patient: PatientSettings,
    rows: list[Row],
    stale: set[int],
    usage: Usage,
    now: datetime.datetime,
    decisions: Decisions,
) -> None:
    """Decide one patient's ``rows`` (in due order) into ``decisions``."""
    today = patient.local_day(now)
    channel = patient.channel()
    keep: list[Row] = []
    for row in rows:
        expired = (
            row.kind in EXPIRES_WITH_THE_DAY and row.local_day is not None and row.local_day < today
        ) or row.due_at < now - LONGEST_HOLD
        if row.id in stale or channel is None or not patient.kind_on(row.kind) or expired:
            decisions.withdraw += _mark([row], NotificationState.WITHDRAWN.value)
        else:
            keep.append(row)
    if not keep:
        return
    if not patient.has_started(today) or patient.is_paused(today) or patient.in_quiet_hours(now):
        decisions.hold += _mark(keep, NotificationState.HELD.value)
        return
    used_today = usage.get((patient.patient_id, today), 0)
    used_this_week = sum(
        usage.get((patient.patient_id, today - datetime.timedelta(days=back)), 0)
        for back in range(7)
    )
    if used_today >= patient.daily_max or used_this_week >= patient.weekly_max:
        decisions.hold += _mark(keep, NotificationState.HELD.value)
        return
    assert channel is not None
    for row in keep:
        row.channel = str(channel)
        row.in_app = patient.in_app
    if len(keep) == 1:
        row = keep[0]
        row.state = NotificationState.QUEUED.value
        row.budget_day = today
        row.next_attempt_at = None
        decisions.queue.append(row)
        return
    subject, body = digest_text(keep)
    digest = Notification(
        key=digest_key(patient_id=patient.patient_id, first=keep[0]),
        recipient_id=patient.patient_id,
        patient_id=patient.patient_id,
        kind=NotificationKind.DIGEST,
        channel=channel,
        in_app=patient.in_app,
        state=NotificationState.QUEUED,
        subject=subject,
        body=body,
        link=reverse("notifications:inbox"),
        due_at=now,
        created_at=now,
        local_day=today,
        budget_day=today,
    )
    decisions.digests.append((digest, _mark(keep, NotificationState.DIGESTED.value)))
