"""The dispatcher: claim a batch, send it outside any transaction, record each outcome.

1. **Claim** (one short transaction): ``SELECT ... FOR UPDATE SKIP LOCKED`` takes up to
   ``NOTIFICATIONS_CLAIM_BATCH`` due rows through the partial index on the claimable states,
   and marks them ``sending`` with the claim time. The commit is the lock: other dispatchers
   skip these rows from then on, with no transaction held open during the sends.
2. **Check again** (``recheck.py``): quiet hours, pause, budget, episode, kind, staleness.
3. **Send** side by side (``sending.py``), each message carrying its unique key to the provider
   (GOV.UK Notify ``reference``; an email ``Message-ID`` derived from the key). An email over
   SMTP is recorded as sent just before its server can accept it (``smtp.py``).
4. **Record** each group of finished sends in one query.

A claim older than ``NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS`` belongs to a dispatcher that died; the
next claim takes it over. For GOV.UK Notify it first asks Notify whether a message with that
reference exists, and records it as sent if so. SMTP cannot be asked, and need not be: a row
still claimed was never accepted, because it would have been recorded first (README,
"Delivery guarantees").
"""

from __future__ import annotations

import datetime
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, Count, F, PositiveSmallIntegerField, Q, When
from django.utils import timezone

from notifications.channels import describe_error, provider_reference_for, uses_notify
from notifications.messages import compose
from notifications.models import (
    UNBUDGETED_KINDS,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationState,
)
from notifications.recheck import recheck
from notifications.sending import (
    ABANDONED,
    FAILED,
    NOT_TRIED,
    PERMANENT,
    SENT,
    Outcome,
    send_all,
)

logger = logging.getLogger(__name__)
_jitter = secrets.SystemRandom()

# The states the partial index covers (``notification_claimable_idx``).
CLAIMABLE_STATES = (
    NotificationState.PENDING,
    NotificationState.QUEUED,
    NotificationState.FAILED,
    NotificationState.SENDING,
)
RECORDED_FIELDS = [
    "state",
    "attempts",
    "last_error",
    "next_attempt_at",
    "sent_at",
    "provider_reference",
    "claimed_at",
    "budget_day",
    "retries_exhausted",
]


def claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(settings.NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS))


def claimable(now: datetime.datetime) -> Q:
    """Rows a dispatcher may claim at ``now``: queued by the gate, staff alerts and sign-in
    links straight from the outbox (never held back), failures whose retry time has come, and
    claims of dispatchers that died."""
    ready = (
        Q(state=NotificationState.QUEUED)
        | Q(state=NotificationState.PENDING, kind__in=UNBUDGETED_KINDS)
        | Q(state=NotificationState.FAILED)
    ) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(state=NotificationState.SENDING, claimed_at__lt=now - claim_timeout())
    return Q(state__in=CLAIMABLE_STATES, due_at__lte=now) & (ready | abandoned)


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


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    withdrawn: int = 0
    deferred: int = 0
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
        self.deferred += other.deferred
        self.rate_limited = self.rate_limited or other.rate_limited


def _claim(*, channel: str, now: datetime.datetime, size: int) -> dict[int, str]:
    """Claim up to ``size`` rows; returns {id: the state each was in}. Two queries, one commit.

    A taken-over claim counts as one attempt (its dispatcher died trying), so a message that
    kills its dispatcher every time still ends up dead instead of looping."""
    with transaction.atomic():
        picked = dict(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(claimable(now), channel=channel)
            .order_by("due_at", "id")
            .values_list("id", "state")[:size]
        )
        if picked:
            Notification.objects.filter(id__in=list(picked)).update(
                state=NotificationState.SENDING,
                claimed_at=now,
                attempts=Case(
                    When(state=NotificationState.SENDING, then=F("attempts") + 1),
                    default=F("attempts"),
                    output_field=PositiveSmallIntegerField(),
                ),
            )
    return picked


def _release(row: Notification, previous: str, until: datetime.datetime | None) -> None:
    """Give a claimed row back, untried, to try at ``until`` (or as soon as possible)."""
    row.state = NotificationState.FAILED if previous == NotificationState.SENDING else previous
    row.claimed_at = None
    if until is not None:
        row.next_attempt_at = until


def _apply(row: Notification, outcome: Outcome, previous: str, now: datetime.datetime) -> None:
    if outcome.kind == NOT_TRIED:
        _release(row, previous, None)
        return
    row.claimed_at = None
    if outcome.kind == SENT:
        row.attempts += 1
        row.state = NotificationState.SENT
        row.sent_at = now
        row.provider_reference = outcome.reference[:100]
        row.last_error = outcome.error
        return
    row.attempts += 1
    row.last_error = outcome.error
    if outcome.kind == PERMANENT:
        row.state = NotificationState.DEAD
    elif row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        row.state = NotificationState.DEAD
        row.retries_exhausted = True
    else:
        row.state = NotificationState.FAILED
        row.next_attempt_at = now + retry_delay(row.attempts)


def _record(rows: list[Notification]) -> None:
    if rows:
        Notification.objects.bulk_update(rows, RECORDED_FIELDS)


def _load(ids: Iterable[int]) -> tuple[list[Notification], dict[int, list[Notification]]]:
    """The claimed rows with their recipients, and each digest's parts: two queries."""
    rows = list(
        Notification.objects.filter(id__in=list(ids))
        .select_related("recipient")
        .order_by("due_at", "id")
    )
    parts: dict[int, list[Notification]] = defaultdict(list)
    digests = [row.id for row in rows if row.kind == NotificationKind.DIGEST]
    if digests:
        for part in Notification.objects.filter(digest_of_id__in=digests).order_by("due_at", "id"):
            assert part.digest_of_id is not None
            parts[part.digest_of_id].append(part)
    return rows, parts


def _record_before_accept(rows: list[Notification], claimed_at: datetime.datetime) -> set[int]:
    """Record ``rows`` as sent before their emails can be accepted, as ``_apply`` would after a
    successful send; returns the ids recorded: rows still under this dispatcher's claim."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Once COMMIT has left this process, PostgreSQL commits whatever becomes of the
                # process, and the email's last line has not gone yet: so COMMIT must be short.
                # Not waiting for the disk makes it a round trip. The cost: a PostgreSQL crash
                # (not a restart, which writes everything) within a fraction of a second loses
                # this record, and the email is sent again after the claim timeout.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            mine = set(
                Notification.objects.select_for_update()
                .filter(
                    id__in=[row.id for row in rows],
                    state=NotificationState.SENDING,
                    claimed_at=claimed_at,
                )
                .values_list("id", flat=True)
            )
            by_day: dict[datetime.date | None, list[int]] = defaultdict(list)
            for row in rows:
                if row.id in mine:
                    by_day[row.budget_day].append(row.id)
            for budget_day, ids in by_day.items():
                Notification.objects.filter(id__in=ids).update(
                    state=NotificationState.SENT,
                    attempts=F("attempts") + 1,
                    sent_at=claimed_at,
                    provider_reference="",
                    last_error="",
                    claimed_at=None,
                    budget_day=budget_day,
                )
    except DatabaseError:
        # Not recorded, so not sent: the rows stay claimed and are taken over later.
        logger.warning("Could not record %d emails before sending them.", len(rows), exc_info=True)
        return set()
    return mine


def _already_sent(row: Notification, now: datetime.datetime) -> Outcome | None:
    """For a taken-over Notify claim: the provider's answer on whether it already has it."""
    try:
        reference = provider_reference_for(notification=row)
    except Exception as error:
        # Unknown: sending could duplicate it, so try again later instead.
        return Outcome(FAILED, error=describe_error(error))
    return Outcome(SENT, reference=reference) if reference is not None else None


def _revive_staff_alerts(channel: str, now: datetime.datetime) -> None:
    """The channel works again: staff alerts that died of temporary failures get a new round of
    attempts, so a risk alert lost to an outage still reaches the PWP's inbox."""
    Notification.objects.filter(
        kind=NotificationKind.STAFF_ALERT,
        channel=channel,
        state=NotificationState.DEAD,
        retries_exhausted=True,
    ).update(
        state=NotificationState.FAILED,
        retries_exhausted=False,
        attempts=0,
        next_attempt_at=now,
    )


# Complexity: Claim, re-check, send and record are one sequence whose order is the delivery
# guarantee; it reads best in one place.
def notifications_send_batch(  # noqa: C901
    *, channel: str, now: datetime.datetime | None = None, size: int | None = None
) -> DispatchResult | None:
    """Claim, check, send and record one batch on ``channel``; None when nothing is due."""
    moment = now or timezone.now()
    claimed = _claim(
        channel=channel, now=moment, size=size or int(settings.NOTIFICATIONS_CLAIM_BATCH)
    )
    if not claimed:
        return None
    started = time.monotonic()
    rows, parts = _load(claimed)
    verdicts = recheck(rows=rows, parts=parts, now=moment)
    result = DispatchResult()
    settled: list[Notification] = []
    to_send: list[Notification] = []
    for row in rows:
        previous = claimed[row.id]
        outcome = None
        if row.id in verdicts.withdraw:
            row.state, row.claimed_at = NotificationState.WITHDRAWN, None
        elif row.id in verdicts.defer:
            _release(row, previous, verdicts.defer[row.id])
            result.deferred += 1
        elif previous == NotificationState.SENDING and uses_notify(channel):
            outcome = _already_sent(row, moment)
        if outcome is not None:
            _apply(row, outcome, previous, moment)
        if row.id in verdicts.withdraw or row.id in verdicts.defer or outcome is not None:
            settled.append(row)
            result.add(row.state)
            continue
        if row.id in verdicts.budget_day:
            row.budget_day = verdicts.budget_day[row.id]
        to_send.append(row)
    _record(settled)
    messages = {row.id: compose(notification=row, parts=parts.get(row.id, [])) for row in to_send}

    def record(done: list[tuple[Notification, Outcome]]) -> None:
        # An abandoned email was never accepted and its row is no longer (or not provably) this
        # dispatcher's: it is left as it is.
        kept = [(row, outcome) for row, outcome in done if outcome.kind != ABANDONED]
        for row, outcome in kept:
            _apply(row, outcome, claimed[row.id], moment)
            result.add(row.state)
            result.rate_limited = result.rate_limited or outcome.error == "rate"
        _record([row for row, _ in kept])

    # Half the claim timeout: a send never starts so late that its claim could be taken over.
    deadline = started + claim_timeout().total_seconds() / 2
    send_all(
        rows=to_send,
        messages=messages,
        deadline=deadline,
        record=record,
        handover=lambda rows: _record_before_accept(rows, moment),
    )
    if result.sent and channel != NotificationChannel.IN_APP:
        _revive_staff_alerts(channel, moment)
    return result


def notifications_dispatch(
    *,
    channel: str,
    now: datetime.datetime | None = None,
    limit: int | None = None,
    time_budget: float | None = None,
) -> DispatchResult:
    """Send due notifications on one channel, batch by batch, until none is left, ``limit``
    rows are handled, the ``time_budget`` (seconds) is spent, or the shared send rate gives no
    token in time."""
    result = DispatchResult()
    started = time.monotonic()
    handled = 0
    size = int(settings.NOTIFICATIONS_CLAIM_BATCH)
    while limit is None or handled < limit:
        if time_budget is not None and time.monotonic() - started > time_budget:
            break
        wanted = size if limit is None else min(size, limit - handled)
        batch = notifications_send_batch(channel=channel, now=now, size=wanted)
        if batch is None:
            break
        result.merge(batch)
        handled += wanted
        if batch.rate_limited:
            break
    return result


def channels() -> Iterable[str]:
    return [choice.value for choice in NotificationChannel]
