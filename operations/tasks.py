"""Celery beat tasks for housekeeping: thin adapters over operations/housekeeping.py."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from operations import housekeeping

# Each is idempotent (deleting what is already gone deletes nothing), so a repeat is harmless.
_RETRY: dict[str, object] = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
    "ignore_result": True,
}


@shared_task(name="operations.clear_expired_sessions", **_RETRY)
def clear_expired_sessions() -> int:
    return housekeeping.sessions_clear_expired(now=timezone.now())


@shared_task(name="operations.prune_idempotency_records", **_RETRY)
def prune_idempotency_records() -> int:
    return housekeeping.idempotency_records_prune(now=timezone.now())


@shared_task(name="operations.prune_finished_notifications", **_RETRY)
def prune_finished_notifications() -> int:
    return housekeeping.notifications_prune_finished(now=timezone.now())


@shared_task(name="operations.prune_sign_in_links", **_RETRY)
def prune_sign_in_links() -> int:
    return housekeeping.sign_in_links_prune(now=timezone.now())
