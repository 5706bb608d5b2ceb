"""Celery beat tasks for housekeeping: thin adapters over operations/housekeeping.py."""

from __future__ import annotations

from collections.abc import Callable

from celery import Task, shared_task
from django.db import DatabaseError
from django.utils import timezone

from operations import housekeeping


# Each is idempotent (deleting what is already gone deletes nothing), so a repeat is harmless.
def _housekeeping_task(name: str) -> Callable[[Callable[[], int]], Task[[], int]]:
    return shared_task(
        name=name,
        autoretry_for=(DatabaseError,),
        retry_backoff=2,
        retry_backoff_max=60,
        retry_jitter=True,
        max_retries=5,
        ignore_result=True,
    )


@_housekeeping_task("operations.clear_expired_sessions")
def clear_expired_sessions() -> int:
    return housekeeping.sessions_clear_expired(now=timezone.now())


@_housekeeping_task("operations.prune_idempotency_records")
def prune_idempotency_records() -> int:
    return housekeeping.idempotency_records_prune(now=timezone.now())


@_housekeeping_task("operations.prune_finished_notifications")
def prune_finished_notifications() -> int:
    return housekeeping.notifications_prune_finished(now=timezone.now())


@_housekeeping_task("operations.prune_sign_in_links")
def prune_sign_in_links() -> int:
    # The hourly sweep of sign-in secrets: the navigator's links and the app's codes and
    # refresh tokens.
    now = timezone.now()
    return housekeeping.sign_in_links_prune(now=now) + housekeeping.app_sign_in_secrets_prune(
        now=now
    )


@_housekeeping_task("operations.prune_stale_drafts")
def prune_stale_drafts() -> int:
    return housekeeping.drafts_prune_stale(now=timezone.now())
