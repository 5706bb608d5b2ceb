"""Celery tasks: thin adapters over the sweep and the dispatcher.

The broker carries only "go and look at the outbox": every notification is a database row
first, so a lost or repeated task message loses or repeats nothing.
"""

from __future__ import annotations

import math

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from notifications.dispatch import claimable_counts, notifications_dispatch
from notifications.sweep import notifications_sweep


# Both tasks acknowledge only after the work is done and give the message back when the worker
# process dies; they retry database trouble with exponential backoff and jitter (never a long
# eta: at most a minute).
@shared_task(
    name="notifications.sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def sweep() -> dict[str, int]:
    result = notifications_sweep(now=timezone.now())
    batch = int(settings.NOTIFICATIONS_DISPATCH_BATCH)
    parallel = int(settings.NOTIFICATIONS_DISPATCH_PARALLEL)
    published = 0
    for channel, count in claimable_counts(timezone.now()).items():
        for _ in range(min(parallel, math.ceil(count / batch))):
            dispatch.delay(channel)
            published += 1
    return {
        "created": result.created,
        "queued": result.queued,
        "held": result.held,
        "withdrawn": result.withdrawn,
        "dispatch_tasks": published,
    }


@shared_task(
    name="notifications.dispatch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def dispatch(channel: str) -> dict[str, int]:
    result = notifications_dispatch(
        channel=channel,
        limit=int(settings.NOTIFICATIONS_DISPATCH_BATCH),
        time_budget=float(settings.NOTIFICATIONS_DISPATCH_TIME_BUDGET),
    )
    return {"sent": result.sent, "failed": result.failed, "dead": result.dead}
