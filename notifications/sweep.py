"""The sweep: create due notifications, and let through only what each patient's limits allow.

One walk over the patients in treatment, in batches (keyset on the patient id): for each batch
it reads the settings once, asks every rule what is due, reads what already waits for those
patients, decides everything together (``notifications/gate.py``) and writes the decisions in
a fixed number of statements: new rows are inserted already queued, held or in a digest (one
``INSERT ... SELECT FROM unnest`` on PostgreSQL), waiting rows updated. One last UPDATE
withdraws what waits for anyone no longer in treatment. Queries grow with the batches, not with
the patients (``bench/notifications.py``), and memory is bounded by the batch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from notifications.batch_sql import values_in
from notifications.gate import Decisions, NewNotification, Row, decide, usage_for
from notifications.models import (
    PATIENT_KINDS,
    Notification,
    NotificationChannel,
    NotificationState,
)
from notifications.preferences import PatientSettings, active_episodes, patient_settings
from notifications.registry import due_rules
from notifications.sources import DueNotification, DueRule

_SWEEP_LOCK_ID = 724_531_006
# The columns a new row sets (the id comes from the database).
_NEW_COLUMNS = frozenset(field.name for field in dataclass_fields(NewNotification)) - {"id"}


@dataclass
class SweepResult:
    created: int = 0
    queued: int = 0
    held: int = 0
    withdrawn: int = 0
    digests: int = 0
    batches: int = 0
    skipped: bool = False


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


def _row_for(
    item: DueNotification, patient: PatientSettings, now: datetime.datetime
) -> NewNotification:
    return NewNotification(
        key=item.key,
        recipient_id=item.patient_id,
        patient_id=item.patient_id,
        kind=str(item.kind),
        channel=str(patient.channel() or NotificationChannel.IN_APP),
        in_app=patient.in_app,
        subject=item.subject,
        body=item.body,
        link=item.link,
        due_at=item.due_at,
        created_at=now,
        local_day=item.local_day,
    )


def _due(
    *, patients: list[PatientSettings], rules: tuple[DueRule, ...], now: datetime.datetime
) -> list[DueNotification]:
    """What the rules say is due now for one batch of patients in treatment."""
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
    items: list[DueNotification] = []
    for rule in rules:
        wanting = [patient for patient in eligible if patient.kind_on(rule.kind)]
        if wanting:
            items += rule.due(patients=wanting, now=now)
    return items


def _sweep_batch(
    *,
    patients: list[PatientSettings],
    rules: tuple[DueRule, ...],
    now: datetime.datetime,
    result: SweepResult,
) -> None:
    """Decide, for one batch of patients, what is newly due together with what already waits,
    and write it: new rows are inserted already queued, held or part of a digest, so a row is
    written once rather than inserted and then updated."""
    by_id = {patient.patient_id: patient for patient in patients}
    items = _due(patients=patients, rules=rules, now=now)
    with transaction.atomic():
        existing = _existing_keys([item.key for item in items])
        new_rows = [
            _row_for(item, by_id[item.patient_id], now)
            for item in items
            if item.key not in existing
        ]
        waiting = list(
            _waiting(now)
            .select_for_update(skip_locked=True)
            .filter(values_in("recipient_id", list(by_id), sql_type="bigint"))
            .order_by("recipient_id", "due_at", "id")
        )
        if not waiting and not new_rows:
            return
        stale: set[int] = set()
        for rule in rules:
            stale |= rule.stale_ids(notifications=[row for row in waiting if row.kind == rule.kind])
        earliest = min(patient.local_day(now) for patient in patients)
        usage = usage_for(list(by_id), earliest - datetime.timedelta(days=6))
        grouped: dict[int, list[Row]] = defaultdict(list)
        candidates: list[Row] = [*waiting, *new_rows]
        for row in candidates:
            grouped[row.recipient_id].append(row)
        decisions = Decisions()
        for patient_id, rows in grouped.items():
            # Due order; at the same moment what was waiting comes first (a stable sort).
            rows.sort(key=lambda row: (row.due_at, row.id is None))
            decide(
                patient=by_id[patient_id],
                rows=rows,
                stale=stale,
                usage=usage,
                now=now,
                decisions=decisions,
            )
        _write(decisions, result)


def _existing_keys(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(
        Notification.objects.filter(values_in("key", keys, sql_type="text")).values_list(
            "key", flat=True
        )
    )


def _write(decisions: Decisions, result: SweepResult) -> None:
    """The batch's decisions in a fixed number of statements, however many rows."""
    withdraw = [row.id for row in decisions.withdraw if row.id is not None]
    if withdraw:
        Notification.objects.filter(values_in("id", withdraw, sql_type="bigint")).update(
            state=NotificationState.WITHDRAWN
        )
    hold = [row.id for row in decisions.hold if row.id is not None]
    if hold:
        Notification.objects.filter(values_in("id", hold, sql_type="bigint")).update(
            state=NotificationState.HELD
        )
    _queue_waiting([row for row in decisions.queue if row.id is not None])
    if decisions.digests:
        _create_digests(decisions.digests)
    new_rows = [
        row
        for row in (
            *decisions.withdraw,
            *decisions.hold,
            *decisions.queue,
            *(part for _, parts in decisions.digests for part in parts),
        )
        if isinstance(row, NewNotification)
    ]
    if new_rows:
        result.created += _insert(new_rows)
    result.withdrawn += len(decisions.withdraw)
    result.held += len(decisions.hold)
    result.queued += len(decisions.queue) + len(decisions.digests)
    result.digests += len(decisions.digests)


def _queue_waiting(rows: list[Row]) -> None:
    """Queue rows with one UPDATE per (channel, in-app, budget day): a handful per batch,
    however many rows (Django's bulk_update builds a CASE per row, which is slow)."""
    groups: dict[tuple[str, bool, datetime.date | None], list[int]] = defaultdict(list)
    for row in rows:
        if row.id is not None:
            groups[(row.channel, row.in_app, row.budget_day)].append(row.id)
    for (channel, in_app, budget_day), ids in groups.items():
        Notification.objects.filter(values_in("id", ids, sql_type="bigint")).update(
            state=NotificationState.QUEUED,
            channel=channel,
            in_app=in_app,
            budget_day=budget_day,
            next_attempt_at=None,
        )


def _create_digests(digests: list[tuple[Notification, list[Row]]]) -> None:
    """Create the digests and point their parts at them: new parts carry the digest's id into
    their insert; parts already waiting are updated in one query, each finding its digest by
    recipient among this batch's digest keys (a patient has at most one new digest a batch)."""
    created = Notification.objects.bulk_create([digest for digest, _ in digests])
    if any(digest.pk is None for digest in created):
        # A database that cannot return ids from a multi-row insert: read them by key.
        ids = dict(
            Notification.objects.filter(key__in=[digest.key for digest in created]).values_list(
                "key", "id"
            )
        )
        for digest in created:
            digest.pk = ids[digest.key]
    for digest, parts in digests:
        for part in parts:
            part.digest_of_id = digest.pk
    waiting_parts = [part.id for _, parts in digests for part in parts if part.id is not None]
    if waiting_parts:
        keys = [digest.key for digest, _ in digests]
        Notification.objects.filter(id__in=waiting_parts).update(
            state=NotificationState.DIGESTED,
            digest_of=Subquery(
                Notification.objects.filter(key__in=keys, recipient_id=OuterRef("recipient_id"))
                .order_by()
                .values("id")[:1]
            ),
        )


def _insert(rows: list[NewNotification]) -> int:
    """Insert new rows, skipping any whose key another writer took meanwhile; how many."""
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows)
    # The unique key makes a race with another writer harmless: the loser's rows are ignored.
    before = Notification.objects.count()
    Notification.objects.bulk_create(
        [Notification(**{name: getattr(row, name) for name in _NEW_COLUMNS}) for row in rows],
        ignore_conflicts=True,
        batch_size=batch_size(),
    )
    return Notification.objects.count() - before


def _insert_postgresql(rows: list[NewNotification]) -> int:
    """One ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (key) DO NOTHING`` for the
    batch. Django's bulk_create prepares every value of every row in Python, which cost more
    than the rest of the sweep at 50,000 patients. A column with one value for the whole batch
    (a rule's fixed wording, the defaults) is sent once, not once per row."""
    fields = [field for field in Notification._meta.concrete_fields if not field.primary_key]
    columns: list[str] = []
    selected: list[str] = []
    arrays: list[str] = []
    scalar_params: list[Any] = []
    array_params: list[list[Any]] = []
    for model_field in fields:
        db_type = model_field.db_type(connection)
        if model_field.attname in _NEW_COLUMNS:
            values = [getattr(row, model_field.attname) for row in rows]
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
        f"ON CONFLICT ({key}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scalar_params, *array_params])
        return int(cursor.rowcount)


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
        _sweep_batch(patients=patients, rules=rules, now=now, result=result)
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
