"""Housekeeping: removing rows whose time has passed. Every retention rule lives here.

Each function deletes in batches of primary keys, so a large backlog never holds one long lock
on a table the web requests write to, and returns how many rows went.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Model, QuerySet

from accounts.models import AppSignInCode, Draft, IdempotencyRecord, RefreshToken, SignInLink
from notifications.models import Notification, NotificationState

BATCH_SIZE = 5000

# An app may resend a request with the same Idempotency-Key for this long (Stripe keeps keys
# for 24 hours; a phone that was offline for a few days still gets its first answer).
IDEMPOTENCY_RETENTION = datetime.timedelta(days=7)

# A draft nobody came back to for this long is let go: a course of treatment is about 12
# weeks, so by then the form it belonged to is long finished, and unsent words should not be
# kept for ever (they are still in the patient's own copy until then).
DRAFT_RETENTION = datetime.timedelta(days=90)

# Notifications in these states will never be sent again; a dead one stays for the retention too,
# so the navigator's "messages not getting through" (30 days) still sees it.
FINISHED_STATES = (
    NotificationState.SENT,
    NotificationState.DIGESTED,
    NotificationState.WITHDRAWN,
    NotificationState.DEAD,
)


def _delete_in_batches(queryset: QuerySet[Model]) -> int:
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return deleted
        _, per_model = queryset.model._default_manager.filter(pk__in=ids).delete()
        deleted += per_model.get(queryset.model._meta.label, 0)


def sessions_clear_expired(*, now: datetime.datetime) -> int:
    """Browser sessions past their expiry (what ``manage.py clearsessions`` does). allauth's
    emailed sign-in codes live in the session, so they go with it. bcbt keeps sessions in the
    database (Django's default engine), which is what this deletes from."""
    return _delete_in_batches(Session.objects.filter(expire_date__lt=now))


def idempotency_records_prune(*, now: datetime.datetime) -> int:
    return _delete_in_batches(
        IdempotencyRecord.objects.filter(created_at__lt=now - IDEMPOTENCY_RETENTION)
    )


def notifications_prune_finished(*, now: datetime.datetime) -> int:
    """Outbox rows that are finished and older than ``BCBT_NOTIFICATION_RETENTION_DAYS``."""
    retention = datetime.timedelta(days=int(settings.BCBT_NOTIFICATION_RETENTION_DAYS))
    return _delete_in_batches(
        Notification.objects.filter(state__in=FINISHED_STATES, created_at__lt=now - retention)
    )


def sign_in_links_prune(*, now: datetime.datetime) -> int:
    """Navigator sign-in links past their expiry, used or not (only a hash was ever stored)."""
    return _delete_in_batches(SignInLink.objects.filter(expires_at__lt=now))


def drafts_prune_stale(*, now: datetime.datetime) -> int:
    """Drafts not touched for ``DRAFT_RETENTION`` (accounts/drafts.py)."""
    return _delete_in_batches(Draft.objects.filter(updated_at__lt=now - DRAFT_RETENTION))


def app_sign_in_secrets_prune(*, now: datetime.datetime) -> int:
    """The app's emailed sign-in codes and its refresh tokens past their expiry, spent or not
    (a spent refresh token is kept until then so that a reuse is recognised)."""
    return _delete_in_batches(AppSignInCode.objects.filter(expires_at__lt=now)) + (
        _delete_in_batches(RefreshToken.objects.filter(expires_at__lt=now))
    )
