"""Writes to the notification outbox and to notification preferences.

Callers enqueue inside their own transaction; nothing here publishes to the broker, so a web
request never depends on Redis or Celery being up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from care.models import Episode, EpisodeStatus, Service
from care.services import audit_event_record
from notifications.dispatch import (
    DispatchResult,
    channels,
    claimable_counts,
    notifications_dispatch,
)
from notifications.models import (
    PATIENT_KINDS,
    ContactChannel,
    Notification,
    NotificationPreference,
    NotificationState,
    PushSubscription,
    ServiceNotificationPolicy,
    in_app_visible,
)
from notifications.preferences import in_window, push_configured
from notifications.sweep import SweepResult, notifications_sweep

if TYPE_CHECKING:
    from accounts.models import User

# States in which a notification has not gone out yet and can still be withdrawn.
UNSENT = (NotificationState.PENDING, NotificationState.HELD, NotificationState.QUEUED)


def notification_enqueue(
    *,
    key: str,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    patient: User | None = None,
    channel: str = "email",
    link: str = "",
    due_at: datetime.datetime | None = None,
) -> tuple[Notification, bool]:
    """Add a row to the outbox unless one with the same key exists; returns (row, created).

    Patient notifications (the kinds in ``PATIENT_KINDS``) then pass the patient's limits in
    the next sweep, which also picks their channel from the patient's current choices; staff
    alerts and sign-in links go out as soon as a dispatcher runs, by ``channel``.
    """
    due = due_at or timezone.now()
    return Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient,
            "patient": patient,
            "kind": kind,
            "channel": channel,
            "subject": subject,
            "body": body,
            "link": link,
            "due_at": due,
            "local_day": timezone.localdate(due, timezone=recipient.zone),
        },
    )


def notification_enqueue_for_patient(
    *,
    key: str,
    patient: User,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    due_at: datetime.datetime | None = None,
) -> tuple[Notification, bool]:
    """Enqueue a notification to a patient about themselves (for example "your PWP has written
    to you", kind ``message_received``). It counts against their budget like any reminder."""
    if kind not in PATIENT_KINDS:
        raise ValueError(f"{kind} is not a kind of notification a patient controls")
    return notification_enqueue(
        key=key,
        recipient=patient,
        patient=patient,
        kind=kind,
        subject=subject,
        body=body,
        link=link,
        due_at=due_at,
    )


def notifications_withdraw(*, patient: User, kind: str, local_day: datetime.date | None) -> int:
    """Withdraw a patient's unsent notifications of one kind (for one day, or all days).

    For example moodlog may call this when today's mood is rated; the sweep and the
    dispatcher also check, so nothing depends on the call being made.
    """
    rows = Notification.objects.filter(recipient=patient, kind=kind, state__in=UNSENT)
    if local_day is not None:
        rows = rows.filter(local_day=local_day)
    return rows.update(state=NotificationState.WITHDRAWN)


def service_notification_policy_get(*, service: Service | None) -> ServiceNotificationPolicy:
    """The service's policy, or the product defaults (unsaved) when it has not set one."""
    if service is not None:
        policy = ServiceNotificationPolicy.objects.filter(service=service).first()
        if policy is not None:
            return policy
        return ServiceNotificationPolicy(service=service)
    return ServiceNotificationPolicy()


def service_for_patient(*, patient: User) -> Service | None:
    """The service whose ceiling applies: the active episode's, as in the sweep, else the
    service the patient is registered with."""
    episode = (
        Episode.objects.filter(patient=patient, status=EpisodeStatus.ACTIVE)
        .select_related("service")
        .first()
    )
    return episode.service if episode is not None else patient.service


def notification_preference_defaults(
    *, patient: User, policy: ServiceNotificationPolicy
) -> NotificationPreference:
    return NotificationPreference(
        patient=patient,
        reminder_time=policy.default_reminder_time,
        quiet_start=policy.quiet_start,
        quiet_end=policy.quiet_end,
        weekly_max=policy.max_per_week,
        contact_by=ContactChannel.EMAIL if policy.email_allowed else ContactChannel.NONE,
    )


def preference_problems(
    *,
    preference: NotificationPreference,
    policy: ServiceNotificationPolicy,
    kept_weekly_max: int | None = None,
) -> dict[str, str]:
    """What is wrong with a set of choices, in plain words, by field.

    The service's weekly cap is a ceiling, not a rewrite: a weekly choice the patient made before
    the service lowered its cap (``kept_weekly_max``) may be saved again as it is, and the budget
    applies the lower of the two. A new choice above the cap is refused.
    """
    problems: dict[str, str] = {}
    if preference.weekly_max > policy.max_per_week and preference.weekly_max != kept_weekly_max:
        problems["weekly_max"] = (
            f"Your service sends at most {policy.max_per_week} a week. Choose that or fewer."
        )
    if preference.contact_by == ContactChannel.SMS and not policy.sms_allowed:
        problems["contact_by"] = "Your service does not send text messages. Choose another way."
    if preference.contact_by == ContactChannel.EMAIL and not policy.email_allowed:
        problems["contact_by"] = "Your service does not send emails. Choose another way."
    windows = (
        (preference.quiet_start, preference.quiet_end),
        (policy.quiet_start, policy.quiet_end),
    )
    if any(in_window(preference.reminder_time, start, end) for start, end in windows):
        problems["reminder_time"] = (
            "Choose a time outside your quiet hours "
            f"(nothing is sent from {policy.quiet_start:%H:%M} to {policy.quiet_end:%H:%M})."
        )
    return problems


@transaction.atomic
def service_notification_caps_update(
    *,
    service: Service,
    max_per_day: int,
    max_per_week: int,
    by: User,
    request: HttpRequest | None = None,
) -> ServiceNotificationPolicy:
    """Set the most messages a patient of the service gets in a day and in a week.

    Caps that contradict each other (3 a day with 2 a week) are refused. A cap below a patient's
    own choice is a ceiling the budget applies; the patient's choice is never rewritten.
    """
    policy, _created = ServiceNotificationPolicy.objects.select_for_update().get_or_create(
        service=service
    )
    before = (policy.max_per_day, policy.max_per_week)
    policy.max_per_day, policy.max_per_week = max_per_day, max_per_week
    policy.full_clean(exclude=["service"])
    policy.save()
    audit_event_record(
        actor=by,
        action="notifications.caps.update",
        target=policy,
        request=request,
        detail={"before": list(before), "after": [max_per_day, max_per_week]},
    )
    return policy


@transaction.atomic
def notification_preference_update(
    *, patient: User, service: Service | None, **choices: Any
) -> NotificationPreference:
    """Save a patient's choices within the service's ceiling; withdraw what they switched off."""
    policy = service_notification_policy_get(service=service)
    preference = NotificationPreference.objects.select_for_update().filter(
        patient=patient
    ).first() or notification_preference_defaults(patient=patient, policy=policy)
    kept_weekly_max = preference.weekly_max if preference.pk is not None else None
    for name, value in choices.items():
        if not hasattr(preference, name) or name in ("id", "patient", "patient_id"):
            raise TypeError(f"{name} is not a notification preference")
        setattr(preference, name, value)
    problems = preference_problems(
        preference=preference, policy=policy, kept_weekly_max=kept_weekly_max
    )
    if preference.contact_by == ContactChannel.PUSH and "contact_by" not in problems:
        if not push_configured():
            problems["contact_by"] = (
                "bcbt does not send notifications to phones here. Choose another way."
            )
        elif not PushSubscription.objects.filter(patient=patient).exists():
            problems["contact_by"] = (
                "Turn on notifications on this phone first (the button above), then choose this."
            )
    if problems:
        raise ValidationError(problems)
    preference.full_clean(exclude=["patient"])
    preference.save()
    switched_off = [kind for kind in PATIENT_KINDS if not getattr(preference, kind)]
    if switched_off:
        Notification.objects.filter(
            recipient=patient, kind__in=switched_off, state__in=UNSENT
        ).update(state=NotificationState.WITHDRAWN)
    return preference


@transaction.atomic
def notification_kind_stop(*, patient: User, kind: str) -> NotificationPreference:
    """What the "stop these" link does: switch one kind off for one patient. Idempotent."""
    if kind not in PATIENT_KINDS:
        raise ValueError(f"{kind} notifications cannot be stopped")
    preference = notification_preference_update(
        patient=patient, service=service_for_patient(patient=patient), **{kind: False}
    )
    audit_event_record(
        actor=None,
        action="notifications.stop_link_used",
        patient=patient,
        target=preference,
        detail={"kind": kind},
    )
    return preference


def notifications_mark_read(*, user: User, now: datetime.datetime | None = None) -> int:
    return Notification.objects.filter(
        in_app_visible(), recipient=user, read_at__isnull=True
    ).update(read_at=now or timezone.now())


@dataclass
class RunResult:
    sweep: SweepResult
    dispatch: DispatchResult

    @property
    def failed(self) -> int:
        return self.dispatch.failed + self.dispatch.dead


def notifications_run_once(*, now: datetime.datetime) -> RunResult:
    """One sweep and a full dispatch, synchronously, as if the clock read ``now``."""
    sweep = notifications_sweep(now=now)
    dispatched = DispatchResult()
    waiting = claimable_counts(now)
    for channel in channels():
        if waiting.get(channel):
            dispatched.merge(notifications_dispatch(channel=channel, now=now))
    return RunResult(sweep=sweep, dispatch=dispatched)
