"""What the dispatcher checks again just before every send, first attempt or retry.

The gate in the sweep decided when a row was queued; a send may come minutes or hours later
(a retry after a provider outage, a row queued at 20:59 and claimed at 21:01), and by then the
patient may be in quiet hours, have paused, have rated today's mood, or have left treatment.
So every claimed patient row (and every digest) is checked again here, in a fixed number of
queries per batch:

- withdraw it when the episode has ended, the kind is switched off (for a digest: all of its
  kinds), no channel is left, it is stale (the rule says so), or its day is over;
- defer it, without using an attempt, until quiet hours or the pause end, or until the next day
  when a retry on a later day would go over that day's or that week's budget;
- otherwise send it (a retry on a later day then counts against that day's budget).

Staff alerts and sign-in links are never held back, so they are not checked.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count

from notifications.gate import EXPIRES_WITH_THE_DAY, LONGEST_HOLD
from notifications.models import BUDGETED_KINDS, Notification, NotificationKind, NotificationState
from notifications.preferences import PatientSettings, in_window, patient_settings_by_id
from notifications.registry import rule_for

USING_BUDGET = (NotificationState.SENT, NotificationState.FAILED, NotificationState.SENDING)


@dataclass
class Verdicts:
    withdraw: set[int] = field(default_factory=set)
    # Row id -> the moment it may be tried again.
    defer: dict[int, datetime.datetime] = field(default_factory=dict)
    # Row id -> the local day whose budget a retry on a later day now uses.
    budget_day: dict[int, datetime.date] = field(default_factory=dict)


def quiet_hours_end(patient: PatientSettings, now: datetime.datetime) -> datetime.datetime:
    """The first moment at or after ``now`` outside all of the patient's quiet windows."""
    local = patient.local_now(now)
    # Windows may overlap or touch (the patient's and the service's); a few hops settle it.
    for _ in range(4):
        moved = False
        for start, end in patient.quiet_windows:
            if in_window(local.time(), start, end):
                day = local.date() if local.time() < end else local.date() + datetime.timedelta(1)
                local = datetime.datetime.combine(day, end, tzinfo=patient.zone)
                moved = True
        if not moved:
            break
    return local


def _next_day(patient: PatientSettings, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day + datetime.timedelta(1), datetime.time(0), patient.zone)


def _stale_ids(rows: Sequence[Notification], parts: dict[int, list[Notification]]) -> set[int]:
    """Stale rows, and digests all of whose parts are stale, in one query per kind."""
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        for item in parts.get(row.id, []) if row.kind == NotificationKind.DIGEST else [row]:
            by_kind[item.kind].append(item)
    stale: set[int] = set()
    for kind, items in by_kind.items():
        rule = rule_for(kind)
        if rule is not None:
            stale |= rule.stale_ids(notifications=items)
    for row in rows:
        digest = row.kind == NotificationKind.DIGEST and row.id in parts
        if digest and all(part.id in stale for part in parts[row.id]):
            stale.add(row.id)
    return stale


def _usage_today(patients: dict[int, PatientSettings], now: datetime.datetime) -> dict:
    """(patient id, local day) -> rows using that day's budget, over the last seven days."""
    if not patients:
        return {}
    earliest = min(patient.local_day(now) for patient in patients.values())
    rows = (
        Notification.objects.filter(
            recipient_id__in=list(patients),
            kind__in=BUDGETED_KINDS,
            state__in=(*USING_BUDGET, NotificationState.QUEUED),
            budget_day__gte=earliest - datetime.timedelta(days=6),
        )
        .values("recipient_id", "budget_day")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {(row["recipient_id"], row["budget_day"]): row["count"] for row in rows}


def _over_budget(
    patient: PatientSettings,
    today: datetime.date,
    usage: dict,
) -> bool:
    used_today = usage.get((patient.patient_id, today), 0)
    used_week = sum(
        usage.get((patient.patient_id, today - datetime.timedelta(days=back)), 0)
        for back in range(7)
    )
    return used_today >= patient.daily_max or used_week >= patient.weekly_max


def _kinds_of(row: Notification, parts: dict[int, list[Notification]]) -> list[str]:
    if row.kind == NotificationKind.DIGEST:
        return [part.kind for part in parts.get(row.id, [])]
    return [row.kind]


def recheck(
    *,
    rows: Sequence[Notification],
    parts: dict[int, list[Notification]],
    now: datetime.datetime,
) -> Verdicts:
    """Decide, for the patient rows among ``rows``, whether each may go out at ``now``."""
    verdicts = Verdicts()
    patient_rows = [row for row in rows if row.kind in BUDGETED_KINDS]
    if not patient_rows:
        return verdicts
    patients = patient_settings_by_id(row.recipient_id for row in patient_rows)
    stale = _stale_ids(patient_rows, parts)
    later_day = [
        row
        for row in patient_rows
        if row.recipient_id in patients
        and row.budget_day is not None
        and row.budget_day < patients[row.recipient_id].local_day(now)
    ]
    later_ids = {row.id for row in later_day}
    usage = _usage_today({row.recipient_id: patients[row.recipient_id] for row in later_day}, now)
    for row in patient_rows:
        patient = patients.get(row.recipient_id)
        if patient is None or patient.channel() is None or row.id in stale:
            verdicts.withdraw.add(row.id)
            continue
        today = patient.local_day(now)
        expired = (
            row.kind in EXPIRES_WITH_THE_DAY and row.local_day is not None and row.local_day < today
        ) or row.due_at < now - LONGEST_HOLD
        if expired or not any(patient.kind_on(kind) for kind in _kinds_of(row, parts)):
            verdicts.withdraw.add(row.id)
        elif patient.is_paused(today):
            verdicts.defer[row.id] = quiet_hours_end(
                patient, _next_day(patient, patient.paused_until or today)
            )
        elif patient.in_quiet_hours(now):
            verdicts.defer[row.id] = quiet_hours_end(patient, now)
        elif row.id in later_ids:
            if _over_budget(patient, today, usage):
                verdicts.defer[row.id] = quiet_hours_end(patient, _next_day(patient, today))
            else:
                verdicts.budget_day[row.id] = today
                usage[(patient.patient_id, today)] = usage.get((patient.patient_id, today), 0) + 1
    return verdicts
