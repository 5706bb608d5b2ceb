"""What the navigator's queue learns from notifications: preferences set, messages failing."""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db.models import Count, Max, OuterRef, Q, QuerySet

from accounts.models import Role, User
from accounts.support_sources import (
    FailureCount,
    delivery_failures_register,
    getting_started_step_register,
    push_lost_register,
    staff_alert_failures_register,
)
from notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationState,
)

FAILED_STATES = (NotificationState.FAILED, NotificationState.DEAD)


def _preferences_set() -> QuerySet[NotificationPreference]:
    return NotificationPreference.objects.filter(patient=OuterRef("pk"))


def _counts_by_recipient(failed: QuerySet[Notification]) -> dict[int, FailureCount]:
    """Failed and given-up messages per recipient, in one grouped query."""
    rows = failed.values("recipient_id").annotate(
        failed=Count("pk"),
        dead=Count("pk", filter=Q(state=NotificationState.DEAD)),
        last_failed=Max("created_at"),
    )
    return {
        row["recipient_id"]: FailureCount(
            failed=row["failed"], dead=row["dead"], last_failed=row["last_failed"]
        )
        for row in rows
    }


def failure_counts(
    patient_ids: Collection[int], since: datetime.datetime
) -> dict[int, FailureCount]:
    return _counts_by_recipient(
        Notification.objects.filter(
            recipient_id__in=list(patient_ids), state__in=FAILED_STATES, created_at__gte=since
        )
    )


def failures_recent(patient: User, since: datetime.datetime) -> list[Notification]:
    return list(
        Notification.objects.filter(
            recipient=patient, state__in=FAILED_STATES, created_at__gte=since
        )
        # Only delivery facts: never the subject or body of the message.
        .only("id", "kind", "channel", "state", "created_at", "attempts", "last_error")
        .order_by("-created_at")[:20]
    )


getting_started_step_register(
    key="notification_preferences",
    missing="notification preferences",
    done=_preferences_set,
    order=20,
)
delivery_failures_register(counts=failure_counts, recent=failures_recent)


def staff_alert_failure_counts(
    service_id: int, since: datetime.datetime
) -> dict[int, FailureCount]:
    """Staff of a service whose alerts (risk flags) failed or died since ``since``, in one query."""
    return _counts_by_recipient(
        Notification.objects.filter(
            recipient__service_id=service_id,
            recipient__role__in=[Role.PWP, Role.NAVIGATOR, Role.SERVICE_ADMIN],
            kind=NotificationKind.STAFF_ALERT,
            state__in=FAILED_STATES,
            created_at__gte=since,
        )
    )


staff_alert_failures_register(counts=staff_alert_failure_counts)


def push_lost_since(patient_ids: Collection[int]) -> dict[int, datetime.datetime]:
    """Patients whose last phone the push service stopped knowing (404 or 410), in one query."""
    rows = NotificationPreference.objects.filter(
        patient_id__in=list(patient_ids), push_lost_at__isnull=False
    ).values_list("patient_id", "push_lost_at")
    return {patient_id: lost_at for patient_id, lost_at in rows if lost_at is not None}


push_lost_register(since=push_lost_since)
