"""The sweep: create due notifications, then let through only what each patient's limits allow.

One walk over the patients in treatment, in batches (keyset on the patient id), reads each
batch's settings once, inserts what is due (one ``INSERT ... SELECT FROM unnest`` on PostgreSQL)
and then decides everything waiting for those patients, in a fixed number of queries per batch;
one last UPDATE withdraws what waits for anyone no longer in treatment. A sweep over 10,000
patients costs ten times a sweep over 1,000 in queries only because it has ten times the batches
(see ``bench/notifications.py``), and memory is bounded by the batch.

The gate decides, per patient, for everything due and not yet sent:
- withdraw it when the episode has ended, the kind is switched off, no channel is left, a daily
  reminder's day is over, it is stale (today's mood is rated), or it has waited a week;
- hold it before the episode's first day, in quiet hours, during a pause, or when the day's or
  the week's budget is used up;
- otherwise queue it for sending; several at once become one digest.
"""

# Size: over 400 lines (the sweep's batch stages, read in order); next to be split by noun
# (tests/platform/test_code_shape.py).

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse

from notifications.messages import digest_text
from notifications.models import (
    BUDGETED_KINDS,
    PATIENT_KINDS,
    Notification,
    NotificationKind,
    NotificationState,
)
from notifications.preferences import PatientSettings, active_episodes, patient_settings
from notifications.registry import due_rules
from notifications.sources import DueNotification, DueRule

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
_SWEEP_LOCK_ID = 724_531_006


@dataclass
class SweepResult:
    created: int = 0
    queued: int = 0
    held: int = 0
    withdrawn: int = 0
    digests: int = 0
    batches: int = 0
    skipped: bool = False
    created_keys: list[str] = field(default_factory=list, repr=False)


def batch_size() -> int:
    return int(settings.NOTIFICATIONS_SWEEP_BATCH_SIZE)


@contextmanager
def _sweep_lock() -> Iterator[bool]:
    """One sweep at a time (beat and a manual command could overlap). SQLite serialises writers
    already; PostgreSQL takes a session advisory lock, released even if the worker dies."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_SWEEP_LOCK_ID])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_SWEEP_LOCK_ID])


def _row_for(item: DueNotification, patient: PatientSettings) -> Notification:
    return Notification(
        key=item.key,
        recipient_id=item.patient_id,
        patient_id=item.patient_id,
        kind=item.kind,
        channel=patient.channel() or "in_app",
        in_app=patient.in_app,
        subject=item.subject,
        body=item.body,
        link=item.link,
        due_at=item.due_at,
        local_day=item.local_day,
    )


def _create_batch(
    *,
    patients: list[PatientSettings],
    rules: tuple[DueRule, ...],
    now: datetime.datetime,
    result: SweepResult,
) -> None:
    """Insert what is due for one batch of patients in treatment."""
    # Nothing is created for a patient who wants nothing, is on a pause, allows none, or whose
    # episode starts on a later day.
    eligible = []
    for patient in patients:
        today = patient.local_day(now)
        if (
            patient.channel() is not None
            and patient.weekly_max > 0
            and patient.has_started(today)
            and not patient.is_paused(today)
        ):
            eligible.append(patient)
    by_id = {patient.patient_id: patient for patient in eligible}
    items: list[DueNotification] = []
    for rule in rules:
        wanting = [patient for patient in eligible if patient.kind_on(rule.kind)]
        if wanting:
            items += rule.due(patients=wanting, now=now)
    if items:
        _insert_new(items, by_id, batch_size(), result)


def _insert_new(
    items: list[DueNotification],
    by_id: dict[int, PatientSettings],
    size: int,
    result: SweepResult,
) -> None:
    """Insert the due notifications that do not exist yet, by their unique keys."""
    if connection.vendor == "postgresql":
        created = _insert_postgresql([_values_for(item, by_id[item.patient_id]) for item in items])
        result.created += len(created)
        result.created_keys += created
        return
    existing = set(
        Notification.objects.filter(key__in=[item.key for item in items]).values_list(
            "key", flat=True
        )
    )
    new = [_row_for(item, by_id[item.patient_id]) for item in items if item.key not in existing]
    # The unique key makes a race with another sweep harmless: the loser's rows are ignored.
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=size)
    result.created += len(new)
    result.created_keys += [row.key for row in new]


def _values_for(item: DueNotification, patient: PatientSettings) -> dict[str, object]:
    return {
        "key": item.key,
        "recipient_id": item.patient_id,
        "patient_id": item.patient_id,
        "kind": str(item.kind),
        "channel": str(patient.channel() or "in_app"),
        "in_app": patient.in_app,
        "subject": item.subject,
        "body": item.body,
        "link": item.link,
        "due_at": item.due_at,
        "local_day": item.local_day,
    }


def _insert_postgresql(rows: list[dict[str, object]]) -> list[str]:
    """One ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (key) DO NOTHING`` for the
    batch, returning the keys it created. Django's bulk_create prepares every value of every
    row in Python, which cost more than the rest of the sweep at 50,000 patients. A column
    with one value for the whole batch (a rule's fixed wording, the model's defaults for
    columns the sweep does not set) is sent once, not once per row."""
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    columns: list[str] = []
    selected: list[str] = []
    arrays: list[str] = []
    scalar_params: list[object] = []
    array_params: list[list[object]] = []
    for model_field in fields:
        db_type = model_field.db_type(connection)
        if model_field.attname in rows[0]:
            values = [row[model_field.attname] for row in rows]
        else:
            values = [model_field.get_default()]
        columns.append(connection.ops.quote_name(str(model_field.column)))
        first = values[0]
        if model_field.name != "key" and all(value == first for value in values):
            selected.append(f"%s::{db_type}")
            scalar_params.append(first)
        else:
            selected.append(f"column_{len(arrays)}")
            arrays.append(f"%s::{db_type}[]")
            array_params.append(values)
    names = ", ".join(f"column_{number}" for number in range(len(arrays)))
    table = connection.ops.quote_name(Notification._meta.db_table)
    key = connection.ops.quote_name(str(Notification._meta.get_field("key").column))
    # Every name comes from the model; every value is a parameter. The key is always an
    # array, so the batch has as many rows as keys.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS batch ({names}) "
        f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scalar_params, *array_params])
        return [row[0] for row in cursor.fetchall()]


def _usage(patient_ids: list[int], since: datetime.date) -> dict[tuple[int, datetime.date], int]:
    counts = (
        Notification.objects.filter(
            recipient_id__in=patient_ids,
            kind__in=BUDGETED_KINDS,
            state__in=USING_BUDGET,
            budget_day__gte=since,
        )
        .values("recipient_id", "budget_day")
        .annotate(count=Count("id"))
    )
    usage: dict[tuple[int, datetime.date], int] = {}
    for row in counts:
        day = row["budget_day"]
        if day is not None:
            usage[(row["recipient_id"], day)] = row["count"]
    return usage


@dataclass
class _Decisions:
    withdraw: list[int] = field(default_factory=list)
    hold: list[int] = field(default_factory=list)
    queue: list[Notification] = field(default_factory=list)
    digests: list[tuple[Notification, list[Notification]]] = field(default_factory=list)


# Length: the budget, quiet hours and digest rules decided together for one batch; their order
# is the contract.
def _decide(
    *,
    patient: PatientSettings,
    rows: list[Notification],
    stale: set[int],
    usage: dict[tuple[int, datetime.date], int],
    now: datetime.datetime,
    decisions: _Decisions,
) -> None:
    today = patient.local_day(now)
    channel = patient.channel()
    keep: list[Notification] = []
    for row in rows:
        expired = (
            row.kind in EXPIRES_WITH_THE_DAY and row.local_day is not None and row.local_day < today
        ) or row.due_at < now - LONGEST_HOLD
        if row.id in stale or channel is None or not patient.kind_on(row.kind) or expired:
            decisions.withdraw.append(row.id)
        else:
            keep.append(row)
    if not keep:
        return
    if not patient.has_started(today) or patient.is_paused(today) or patient.in_quiet_hours(now):
        decisions.hold += [row.id for row in keep]
        return
    used_today = usage.get((patient.patient_id, today), 0)
    used_this_week = sum(
        usage.get((patient.patient_id, today - datetime.timedelta(days=back)), 0)
        for back in range(7)
    )
    if used_today >= patient.daily_max or used_this_week >= patient.weekly_max:
        decisions.hold += [row.id for row in keep]
        return
    assert channel is not None
    if len(keep) == 1:
        row = keep[0]
        row.state = NotificationState.QUEUED
        row.channel = channel
        row.in_app = patient.in_app
        row.budget_day = today
        row.next_attempt_at = None
        decisions.queue.append(row)
        return
    subject, body = digest_text(keep)
    digest = Notification(
        key=f"digest:{patient.patient_id}:{keep[0].id}",
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
    decisions.digests.append((digest, keep))


def _apply_queue(rows: list[Notification]) -> None:
    """Queue rows with one UPDATE per (channel, in-app, budget day): a handful per batch,
    however many rows (Django's bulk_update builds a CASE per row, which is slow)."""
    groups: dict[tuple[str, bool, datetime.date | None], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.channel, row.in_app, row.budget_day)].append(row.id)
    for (channel, in_app, budget_day), ids in groups.items():
        Notification.objects.filter(id__in=ids).update(
            state=NotificationState.QUEUED,
            channel=channel,
            in_app=in_app,
            budget_day=budget_day,
            next_attempt_at=None,
        )


def _apply_digests(digests: list[tuple[Notification, list[Notification]]]) -> None:
    """Create the digests and point their parts at them, in three queries for the batch.

    A patient has at most one new digest per batch, so each part finds its digest by recipient
    among this batch's digest keys."""
    Notification.objects.bulk_create([digest for digest, _ in digests])
    keys = [digest.key for digest, _ in digests]
    part_ids = [part.id for _, parts in digests for part in parts]
    Notification.objects.filter(id__in=part_ids).update(
        state=NotificationState.DIGESTED,
        digest_of=Subquery(
            Notification.objects.filter(key__in=keys, recipient_id=OuterRef("recipient_id"))
            .order_by()
            .values("id")[:1]
        ),
    )


def _gate_batch(
    *, patients: list[PatientSettings], now: datetime.datetime, result: SweepResult
) -> None:
    """Decide everything waiting for one batch of patients in treatment."""
    by_id = {patient.patient_id: patient for patient in patients}
    with transaction.atomic():
        rows = list(
            _waiting(now)
            .select_for_update(skip_locked=True)
            .filter(recipient_id__in=list(by_id))
            .order_by("recipient_id", "due_at", "id")
        )
        if not rows:
            return
        stale: set[int] = set()
        for rule in due_rules():
            stale |= rule.stale_ids(notifications=[row for row in rows if row.kind == rule.kind])
        earliest = min(patient.local_day(now) for patient in patients)
        usage = _usage(list(by_id), earliest - datetime.timedelta(days=6))
        grouped: dict[int, list[Notification]] = defaultdict(list)
        for row in rows:
            grouped[row.recipient_id].append(row)
        decisions = _Decisions()
        for patient_id, patient_rows in grouped.items():
            _decide(
                patient=by_id[patient_id],
                rows=patient_rows,
                stale=stale,
                usage=usage,
                now=now,
                decisions=decisions,
            )
        _apply(decisions, result)


def _apply(decisions: _Decisions, result: SweepResult) -> None:
    if decisions.withdraw:
        Notification.objects.filter(id__in=decisions.withdraw).update(
            state=NotificationState.WITHDRAWN
        )
    if decisions.hold:
        Notification.objects.filter(id__in=decisions.hold).update(state=NotificationState.HELD)
    _apply_queue(decisions.queue)
    if decisions.digests:
        _apply_digests(decisions.digests)
    result.withdrawn += len(decisions.withdraw)
    result.held += len(decisions.hold)
    result.queued += len(decisions.queue) + len(decisions.digests)
    result.digests += len(decisions.digests)


def _waiting(now: datetime.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        kind__in=PATIENT_KINDS,
        state__in=(NotificationState.PENDING, NotificationState.HELD),
        due_at__lte=now,
    )


def _withdraw_outside_treatment(*, now: datetime.datetime, result: SweepResult) -> None:
    """Nothing after an episode ends: one UPDATE withdraws whatever still waits for anyone who
    is not in treatment now (the walk over patients in treatment never meets them)."""
    in_treatment = active_episodes().filter(patient_id=OuterRef("recipient_id"))
    result.withdrawn += (
        _waiting(now).filter(~Exists(in_treatment)).update(state=NotificationState.WITHDRAWN)
    )


def _walk(*, now: datetime.datetime, result: SweepResult) -> None:
    """Patients in treatment in batches (keyset on the patient id): for each batch, create
    what is due, then decide everything waiting, with the batch's settings read once."""
    rules = due_rules()
    last_patient_id = 0
    size = batch_size()
    while True:
        patients = patient_settings(
            active_episodes().filter(patient_id__gt=last_patient_id).order_by("patient_id")[:size]
        )
        if not patients:
            return
        result.batches += 1
        last_patient_id = patients[-1].patient_id
        _create_batch(patients=patients, rules=rules, now=now, result=result)
        _gate_batch(patients=patients, now=now, result=result)
        if len(patients) < size:
            return


def notifications_sweep(*, now: datetime.datetime) -> SweepResult:
    """Create what is due at ``now`` and pass it through each patient's limits."""
    result = SweepResult()
    with _sweep_lock() as acquired:
        if not acquired:
            result.skipped = True
            return result
        _walk(now=now, result=result)
        _withdraw_outside_treatment(now=now, result=result)
    return result
