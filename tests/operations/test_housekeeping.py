"""Housekeeping beat tasks: each removes what has expired and nothing else."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import Draft, IdempotencyRecord, SignInLink, User
from notifications.models import Notification, NotificationState
from operations import tasks

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_every_housekeeping_task_is_on_the_beat_schedule() -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (
        tasks.clear_expired_sessions,
        tasks.prune_idempotency_records,
        tasks.prune_finished_notifications,
        tasks.prune_sign_in_links,
        tasks.prune_stale_drafts,
    ):
        assert task.name in scheduled


def test_expired_sessions_are_cleared_and_live_ones_kept() -> None:
    live = SessionStore()
    live["x"] = 1
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert tasks.clear_expired_sessions.apply().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_idempotency_records_go_after_seven_days(patient: User) -> None:
    now = timezone.now()
    for key, age in (("old", 7 * DAY + datetime.timedelta(minutes=1)), ("recent", 6 * DAY)):
        IdempotencyRecord.objects.create(
            user=patient,
            key=key,
            request_hash="h",
            status_code=201,
            response_body={},
            created_at=now - age,
        )
    assert tasks.prune_idempotency_records.apply().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


def test_finished_notifications_go_after_the_retention_and_unsent_ones_stay(
    patient: User, settings: Any
) -> None:
    settings.BCBT_NOTIFICATION_RETENTION_DAYS = 30
    now = timezone.now()
    rows = [
        ("sent-old", NotificationState.SENT, 31),
        ("dead-old", NotificationState.DEAD, 31),
        ("withdrawn-old", NotificationState.WITHDRAWN, 31),
        ("sent-recent", NotificationState.SENT, 29),
        ("held-old", NotificationState.HELD, 31),
        ("failed-old", NotificationState.FAILED, 31),
        ("queued-old", NotificationState.QUEUED, 31),
    ]
    for key, state, days in rows:
        Notification.objects.create(
            key=key,
            recipient=patient,
            kind="mood_reminder",
            state=state,
            subject="s",
            body="b",
            created_at=now - days * DAY,
        )
    assert tasks.prune_finished_notifications.apply().get() == 3
    assert set(Notification.objects.values_list("key", flat=True)) == {
        "sent-recent",
        "held-old",
        "failed-old",
        "queued-old",
    }


def test_expired_sign_in_links_go_and_live_ones_stay(patient: User) -> None:
    now = timezone.now()
    SignInLink.objects.create(
        user=patient, token_hash="expired", created_at=now - 2 * DAY, expires_at=now - DAY
    )
    SignInLink.objects.create(
        user=patient,
        token_hash="used-and-expired",
        created_at=now - 2 * DAY,
        expires_at=now - DAY,
        used_at=now - 2 * DAY,
    )
    SignInLink.objects.create(user=patient, token_hash="live", created_at=now, expires_at=now + DAY)
    assert tasks.prune_sign_in_links.apply().get() == 2
    assert list(SignInLink.objects.values_list("token_hash", flat=True)) == ["live"]


def test_drafts_untouched_for_ninety_days_go_and_recent_ones_stay(patient: User) -> None:
    now = timezone.now()
    Draft.objects.create(user=patient, key="message", updated_at=now - 90 * DAY - DAY)
    Draft.objects.create(user=patient, key="next-session", updated_at=now - 89 * DAY)
    assert tasks.prune_stale_drafts.apply().get() == 1
    assert list(Draft.objects.values_list("key", flat=True)) == ["next-session"]


def test_a_backlog_larger_than_one_batch_is_removed_in_batches(
    patient: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("operations.housekeeping.BATCH_SIZE", 2)
    old = timezone.now() - 8 * DAY
    IdempotencyRecord.objects.bulk_create(
        IdempotencyRecord(
            user=patient,
            key=f"k{n}",
            request_hash="h",
            status_code=201,
            response_body={},
            created_at=old,
        )
        for n in range(5)
    )
    assert tasks.prune_idempotency_records.apply().get() == 5
    assert not IdempotencyRecord.objects.exists()
