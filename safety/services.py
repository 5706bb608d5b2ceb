"""Risk flags: raising, reviewing and escalating them (the scoped reads are in selectors.py).

A risk flag is raised in the same transaction as the answers that caused it, with an alert row in
the notification outbox for each person who must see it: the patient's PWP, or every member of
the service's duty queue when the patient has no PWP. A flag the PWP has not reviewed by its
``review_due_at`` escalates to the duty queue (``risk_flags_escalate_overdue``, run by a periodic
task). A flag closes only with a note of what was done. Alerts carry no clinical content.

The duty queue of a service is:
1. the staff listed for it as ``DutyQueueMember`` rows (set in Django admin), or, if none are,
2. the service's active service admins, or, if it has none,
3. every active superuser,
so a flag always reaches someone.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from care.models import DutyQueueMember, Episode, Service
from care.services import audit_event_record
from notifications.models import Notification, NotificationKind, NotificationState
from notifications.services import notification_enqueue
from safety.models import (
    RiskFlag,
    RiskFlagReason,
    RiskFlagRoute,
    RiskFlagSourceKind,
    RiskFlagStatus,
)

ALERT_SUBJECT = "A patient needs a clinician review"
ALERT_BODY_PWP = "A patient on your caseload needs a clinician review."
ALERT_BODY_DUTY = "A patient in your service's duty queue needs a clinician review."
ALERT_BODY_ESCALATED = (
    "A patient's flag was not reviewed in time and has moved to your service's duty queue. "
    "It needs a clinician review."
)


class RiskFlagAlreadyClosed(Exception):
    """Someone else closed the flag first; the view answers 409."""


# --- The duty queue -------------------------------------------------------------------------


def duty_queue_members(*, service: Service | None) -> list[User]:
    """Everyone who gets a service's duty-queue alerts; never empty while any admin exists."""
    if service is not None:
        members = list(
            User.objects.filter(duty_queue_memberships__service=service, is_active=True).order_by(
                "id"
            )
        )
        if members:
            return members
        admins = list(
            User.objects.filter(role=Role.SERVICE_ADMIN, service=service, is_active=True).order_by(
                "id"
            )
        )
        if admins:
            return admins
    return list(User.objects.filter(is_superuser=True, is_active=True).order_by("id"))


def is_on_duty_queue(*, staff: User, service_id: int | None) -> bool:
    if service_id is None:
        return staff.is_superuser
    listed = DutyQueueMember.objects.filter(service_id=service_id)
    if listed.exists():
        return listed.filter(staff=staff).exists()
    return staff.role == Role.SERVICE_ADMIN and staff.service_id == service_id


def _flag_link(flag: RiskFlag) -> str:
    return reverse("safety:flag-detail", args=[flag.pk])


# --- Writes ---------------------------------------------------------------------------------


@transaction.atomic
def risk_flag_raise(
    *,
    patient: User,
    episode: Episode | None,
    service: Service | None,
    # A measures.QuestionnaireResponse, typed loosely: safety sits below measures and never
    # imports it, not even for types.
    source_response: Any,
    review_due_at: datetime.datetime,
    reason: str = RiskFlagReason.NEEDS_CLINICIAN_REVIEW,
    source_kind: str = RiskFlagSourceKind.QUESTIONNAIRE,
    matched_phrase: str = "",
    now: datetime.datetime | None = None,
) -> RiskFlag:
    """Raise a flag and queue its alerts. Call it inside the transaction that stores the answers,
    so that the answers, the flag and the alerts are kept together or not at all."""
    now = now or timezone.now()
    pwp = episode.pwp if episode is not None and episode.is_active else None
    flag = RiskFlag.objects.create(
        patient=patient,
        episode=episode,
        service=service,
        source_response=source_response,
        source_kind=source_kind,
        matched_phrase=matched_phrase,
        reason=reason,
        route=RiskFlagRoute.PWP if pwp is not None else RiskFlagRoute.DUTY_QUEUE,
        pwp=pwp,
        created_at=now,
        review_due_at=review_due_at,
    )
    if pwp is not None:
        recipients, body = [pwp], ALERT_BODY_PWP
    else:
        recipients, body = duty_queue_members(service=service), ALERT_BODY_DUTY
    for recipient in recipients:
        notification_enqueue(
            key=f"risk-flag:{flag.pk}:{recipient.pk}",
            recipient=recipient,
            kind=NotificationKind.STAFF_ALERT,
            subject=ALERT_SUBJECT,
            body=body,
            patient=patient,
            link=_flag_link(flag),
            due_at=now,
        )
    audit_event_record(
        # The patient's own words or answers raised it; one raised for them by staff has no actor.
        actor=(
            patient
            if source_response is not None or source_kind != RiskFlagSourceKind.QUESTIONNAIRE
            else None
        ),
        action="risk_flag.raise",
        patient=patient,
        target=flag,
        # The kind of source only: the matched words are clinical and stay on the flag.
        detail={"route": flag.route, "alerts": len(recipients), "source": source_kind},
    )
    return flag


def episode_end_refused_for_flags(episode: Episode) -> str | None:
    """Why an episode cannot end yet: a flag of its patient's not closed (open or acknowledged).

    Ending treatment would take the flag off the PWP's caseload, so it is reviewed first."""
    waiting = RiskFlag.objects.filter(episode=episode).exclude(status=RiskFlagStatus.CLOSED).count()
    if not waiting:
        return None
    return (
        f"This treatment cannot end while a risk flag is not closed ({waiting} waiting): review "
        "and close each with a note first."
    )


def risk_flag_acknowledge(
    *,
    flag: RiskFlag,
    by: User,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> RiskFlag:
    """Say "I'm on it": stops escalation and shows who. The caller has checked ``by`` may see
    it. Acknowledging an acknowledged flag keeps the first person; a closed one raises
    RiskFlagAlreadyClosed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = RiskFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.status == RiskFlagStatus.CLOSED:
            raise RiskFlagAlreadyClosed
        if locked.status == RiskFlagStatus.ACKNOWLEDGED:
            return locked
        locked.status = RiskFlagStatus.ACKNOWLEDGED
        locked.acknowledged_by = by
        locked.acknowledged_at = now
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        audit_event_record(
            actor=by,
            action="risk_flag.acknowledge",
            patient=locked.patient,
            target=locked,
            request=request,
        )
    return locked


def risk_flag_close(
    *,
    flag: RiskFlag,
    by: User,
    note: str,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> RiskFlag:
    """Close a flag with a note of what was done. The caller has checked ``by`` may see it."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Write what you did about this flag before closing it."})
    now = now or timezone.now()
    with transaction.atomic():
        locked = RiskFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.status == RiskFlagStatus.CLOSED:
            raise RiskFlagAlreadyClosed
        locked.status = RiskFlagStatus.CLOSED
        locked.reviewed_by = by
        locked.reviewed_at = now
        locked.review_note = note
        # The history of the flag (and its note) says who closed it.
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        # Alerts not yet sent about a flag that is now closed would only send people looking.
        Notification.objects.filter(
            Q(key__startswith=f"risk-flag:{flag.pk}:")
            | Q(key__startswith=f"risk-flag-escalated:{flag.pk}:"),
            state__in=[NotificationState.PENDING, NotificationState.HELD],
        ).update(state=NotificationState.WITHDRAWN)
        # The note is clinical: the audit trail records that it was written, not what it says.
        audit_event_record(
            actor=by,
            action="risk_flag.close",
            patient=locked.patient,
            target=locked,
            request=request,
            detail={"note_length": len(note)},
        )
    return locked


def risk_flag_escalate(*, flag: RiskFlag, now: datetime.datetime) -> int:
    """Move one overdue flag to the duty queue and alert its members; returns alerts queued."""
    flag.escalated_at = now
    flag.save(update_fields=["escalated_at"])
    members = duty_queue_members(service=flag.service)
    for member in members:
        notification_enqueue(
            key=f"risk-flag-escalated:{flag.pk}:{member.pk}",
            recipient=member,
            kind=NotificationKind.STAFF_ALERT,
            subject=ALERT_SUBJECT,
            body=ALERT_BODY_ESCALATED,
            patient=flag.patient,
            link=_flag_link(flag),
            due_at=now,
        )
    audit_event_record(
        actor=None,
        action="risk_flag.escalate",
        patient=flag.patient,
        target=flag,
        detail={"alerts": len(members)},
    )
    return len(members)


def risk_flags_escalate_overdue(
    *, now: datetime.datetime | None = None, batch_size: int = 200
) -> int:
    """Escalate every open PWP flag past its review time; returns how many were escalated.

    Works in batches, each in its own transaction with the rows locked (skipping rows another
    sweep holds), so two overlapping sweeps never escalate a flag twice.
    """
    now = now or timezone.now()
    escalated = 0
    while True:
        with transaction.atomic():
            batch = list(
                RiskFlag.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=RiskFlagStatus.OPEN,
                    route=RiskFlagRoute.PWP,
                    escalated_at__isnull=True,
                    review_due_at__lte=now,
                )
                .select_related("patient", "service")
                .order_by("review_due_at", "id")[:batch_size]
            )
            for flag in batch:
                risk_flag_escalate(flag=flag, now=now)
        escalated += len(batch)
        if len(batch) < batch_size:
            return escalated
