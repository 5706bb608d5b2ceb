"""Reads of notifications, each scoped to the person asking."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role
from accounts.models import User as UserModel
from care.models import EpisodeStatus, Service
from notifications.models import (
    Notification,
    NotificationPreference,
    NotificationState,
    PushSubscription,
    in_app_visible,
)
from notifications.services import (
    notification_preference_defaults,
    service_for_patient,
    service_notification_policy_get,
)

if TYPE_CHECKING:
    from accounts.models import User

# A notification that failed this many times, or failed for good this recently, is a problem
# a navigator should look at (a wrong address, a number that no longer works).
FAILING_ATTEMPTS = 2
FAILING_LOOKBACK = datetime.timedelta(days=30)


def inbox_for(*, user: User, limit: int = 50) -> QuerySet[Notification]:
    """The user's own in-app notifications, newest first."""
    return (
        Notification.objects.filter(in_app_visible(), recipient=user)
        .only("id", "kind", "subject", "body", "link", "sent_at", "due_at", "read_at", "state")
        .order_by(Coalesce("sent_at", "due_at").desc(), "-id")[:limit]
    )


def unread_count(*, user: User) -> int:
    """How many of the user's in-app notifications they have not read yet."""
    return Notification.objects.filter(
        in_app_visible(), recipient=user, read_at__isnull=True
    ).count()


def notification_preference_for(*, patient: User) -> NotificationPreference:
    """The patient's choices, or (unsaved) their service's defaults if they made none."""
    preference = NotificationPreference.objects.filter(patient=patient).first()
    if preference is not None:
        return preference
    policy = service_notification_policy_get(service=service_for_patient(patient=patient))
    return notification_preference_defaults(patient=patient, policy=policy)


def patients_with_failing_notifications(
    *, service: Service, now: datetime.datetime | None = None
) -> QuerySet[UserModel]:
    """Patients in treatment in ``service`` whose notifications keep failing, for the navigator.

    Each has ``failing_count`` and ``last_failure_at``. Technical facts only: no content.
    """
    since = (now or timezone.now()) - FAILING_LOOKBACK
    failing = Q(notifications__state=NotificationState.DEAD, notifications__due_at__gte=since) | Q(
        notifications__state=NotificationState.FAILED,
        notifications__attempts__gte=FAILING_ATTEMPTS,
    )
    return (
        UserModel.objects.filter(
            role=Role.PATIENT,
            episodes__status=EpisodeStatus.ACTIVE,
            episodes__service=service,
        )
        .annotate(
            failing_count=Count("notifications", filter=failing, distinct=True),
            last_failure_at=Max("notifications__due_at", filter=failing),
        )
        .filter(failing_count__gt=0)
        .only("id", "username", "first_name", "last_name")
        .order_by("-last_failure_at", "id")
    )


def patients_above_weekly_cap(*, service: Service, max_per_week: int) -> int:
    """How many patients in treatment chose more a week than ``max_per_week`` (the cap will be
    their ceiling; their choice stays)."""
    return NotificationPreference.objects.filter(
        patient__episodes__service=service,
        patient__episodes__status=EpisodeStatus.ACTIVE,
        weekly_max__gt=max_per_week,
    ).count()


def push_subscriptions_for(*, patient: User) -> QuerySet[PushSubscription]:
    """The patient's own phones and browsers that take push notifications, newest first."""
    return PushSubscription.objects.filter(patient=patient).order_by("-created_at", "-id")


def push_subscription_get_for_patient(*, patient: User, subscription_id: int) -> PushSubscription:
    """One of the patient's own subscriptions; another's raises DoesNotExist, as a missing one."""
    return PushSubscription.objects.get(patient=patient, pk=subscription_id)
