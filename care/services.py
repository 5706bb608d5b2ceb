"""Writes for services, episodes, appointments and the audit trail."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.client_address import client_address
from care.end_guards import episode_end_refusals
from care.models import (
    END_REASON_STATUS,
    Appointment,
    AppointmentKind,
    AuditEvent,
    DutyQueueMember,
    EndReason,
    Episode,
    EpisodeStatus,
    Service,
    SessionPlanEntry,
)

if TYPE_CHECKING:
    from accounts.models import User

# The trial's plan: 11 sessions alternating face to face and online, starting face to face,
# one a week.
DEFAULT_SESSION_PLAN: tuple[tuple[int, str, int], ...] = tuple(
    (
        number,
        AppointmentKind.FACE_TO_FACE if number % 2 == 1 else AppointmentKind.ONLINE,
        (number - 1) * 7,
    )
    for number in range(1, 12)
)


def request_ip(request: HttpRequest | None) -> str | None:
    """The client's address, behind the trusted proxies (see accounts/client_address.py)."""
    return client_address(request)


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    patient: User | None = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what to whose record. ``detail`` must never hold clinical content:
    ids, counts and field names only."""
    acting = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=acting,
        actor_username=acting.get_username() if acting is not None else "",
        actor_role=getattr(acting, "role", "") or "",
        action=action,
        patient=patient,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip_address=request_ip(request),
        detail=detail or {},
    )


def session_plan_default_create(*, service: Service) -> list[SessionPlanEntry]:
    """Give a new service the trial's session plan, which its admin may then change."""
    return SessionPlanEntry.objects.bulk_create(
        SessionPlanEntry(service=service, number=number, kind=kind, days_after_start=days)
        for number, kind, days in DEFAULT_SESSION_PLAN
    )


@transaction.atomic
def episode_create(
    *,
    patient: User,
    service: Service,
    pwp: User | None,
    started_on: datetime.date,
    first_session_time: datetime.time = datetime.time(10, 0),
    plan_from_start: bool = True,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Episode:
    """The care half of opening an episode: the row and its appointments from the service's
    session plan. Callers open an episode with ``treatment.services.episode_start``, which also
    assigns the programme; this function is its building block.

    Each session is booked ``days_after_start`` days after ``started_on``, at
    ``first_session_time`` in the service's time zone. With ``plan_from_start=False`` the plan
    is laid from the first session instead: session 1 falls on ``started_on`` itself (whatever
    its own ``days_after_start``) and the others keep their distance from it, so a first
    appointment booked at registration is exactly the one the patient was given."""
    episode = Episode.objects.create(
        patient=patient, pwp=pwp, service=service, started_on=started_on
    )
    zone = zoneinfo.ZoneInfo(service.time_zone)
    entries = list(service.session_plan.order_by("number"))
    offset = 0 if plan_from_start or not entries else entries[0].days_after_start
    Appointment.objects.bulk_create(
        Appointment(
            episode=episode,
            number=entry.number,
            kind=entry.kind,
            scheduled_at=datetime.datetime.combine(
                started_on + datetime.timedelta(days=entry.days_after_start - offset),
                first_session_time,
                tzinfo=zone,
            ),
        )
        for entry in entries
    )
    audit_event_record(
        actor=by, action="episode.start", patient=patient, target=episode, request=request
    )
    return episode


class EpisodeChangeError(Exception):
    """A change an episode cannot take; the message is for the person who asked."""


@transaction.atomic
def episode_pwp_change(
    *, episode: Episode, pwp: User | None, by: User | None, request: HttpRequest | None = None
) -> Episode:
    """Give an episode another PWP (or none: then its alerts go to the duty queue)."""
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    if not locked.is_active:
        raise EpisodeChangeError("This treatment has ended, so its PWP cannot change.")
    before = locked.pwp_id
    if (pwp is not None and before == pwp.pk) or (pwp is None and before is None):
        return locked
    locked.pwp = pwp
    locked.save(update_fields=["pwp"])
    audit_event_record(
        actor=by,
        action="episode.pwp_change",
        patient=locked.patient,
        target=locked,
        request=request,
        detail={"from_pwp_id": before, "to_pwp_id": pwp.pk if pwp is not None else None},
    )
    return locked


@transaction.atomic
def episode_end(
    *,
    episode: Episode,
    ended_on: datetime.date,
    by: User | None,
    reason: str = "",
    status: str | None = None,
    request: HttpRequest | None = None,
) -> Episode:
    """End a course of treatment for ``reason`` (an EndReason). Episodes end; never deleted.

    ``status`` alone (without a reason) is kept for Django admin's status field; a reason sets the
    status by END_REASON_STATUS.
    """
    if reason:
        if reason not in EndReason.values:
            raise EpisodeChangeError("Choose why treatment ended.")
        status = END_REASON_STATUS[reason]
    if status is None or status == EpisodeStatus.ACTIVE:
        raise EpisodeChangeError("An episode ends as completed, dropped out or discharged.")
    # Locked so two people ending the same episode at once record one ending, not two.
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    if not locked.is_active:
        raise EpisodeChangeError("This treatment has already ended.")
    if ended_on < locked.started_on:
        raise EpisodeChangeError("An episode cannot end before it started.")
    service_today = timezone.localdate(timezone=zoneinfo.ZoneInfo(locked.service.time_zone))
    if ended_on > service_today:
        raise EpisodeChangeError("An episode cannot end on a date still to come.")
    refusals = episode_end_refusals(episode=locked)
    if refusals:
        raise EpisodeChangeError(" ".join(refusals))
    locked.status = status
    locked.ended_on = ended_on
    locked.end_reason = reason
    locked.save(update_fields=["status", "ended_on", "end_reason"])
    audit_event_record(
        actor=by,
        action="episode.end",
        patient=locked.patient,
        target=locked,
        request=request,
        detail={"status": status, "reason": reason},
    )
    episode.status, episode.ended_on = locked.status, locked.ended_on
    episode.end_reason = locked.end_reason
    return locked


# --- The duty queue -----------------------------------------------------------------------------


class DutyQueueError(Exception):
    """A change the duty queue cannot take; the message is for the service admin."""


@transaction.atomic
def duty_queue_member_add(
    *, service: Service, staff: User, by: User | None, request: HttpRequest | None = None
) -> DutyQueueMember:
    """Put a PWP or service admin of ``service`` on its duty queue. Navigators never see
    clinical data, so they cannot review risk flags and cannot be on it."""
    if staff.service_id != service.pk or not staff.is_active or not staff.is_clinical_staff:
        raise DutyQueueError("Only active PWPs and service admins of this service can be on duty.")
    member, created = DutyQueueMember.objects.get_or_create(service=service, staff=staff)
    if created:
        audit_event_record(
            actor=by,
            action="duty_queue.add",
            target=member,
            request=request,
            detail={"staff_id": staff.pk, "service_id": service.pk},
        )
    return member


@transaction.atomic
def duty_queue_member_remove(
    *, service: Service, staff: User, by: User | None, request: HttpRequest | None = None
) -> bool:
    """Take someone off ``service``'s duty queue; False when they were not on it. With nobody
    left on it, the service's admins are the duty queue (``safety.services.duty_queue_members``)."""
    deleted, _ = DutyQueueMember.objects.filter(service=service, staff=staff).delete()
    if deleted:
        audit_event_record(
            actor=by,
            action="duty_queue.remove",
            request=request,
            detail={"staff_id": staff.pk, "service_id": service.pk},
        )
    return bool(deleted)


@dataclass(frozen=True)
class SessionPlanRow:
    """One session as the admin sets it; its number is its place in the plan."""

    kind: str
    default_minutes: int
    days_after_start: int


class SessionPlanError(Exception):
    """A session plan that cannot be saved; the message is for the admin, as it is."""


def _session_plan_problem(rows: list[SessionPlanRow]) -> str:
    if not rows:
        return "A plan needs at least one session."
    for number, row in enumerate(rows, start=1):
        if row.kind not in AppointmentKind.values:
            return f"Choose face to face or online for session {number}."
        if not 5 <= row.default_minutes <= 240:
            return f"Session {number}: give a length from 5 to 240 minutes."
        if not 0 <= row.days_after_start <= 365:
            return f"Session {number}: give a number of days from 0 to 365."
    for number, (earlier, later) in enumerate(itertools.pairwise(rows), start=2):
        if later.days_after_start < earlier.days_after_start:
            return (
                f"Session {number} is booked {later.days_after_start} days after the start, "
                f"before session {number - 1} ({earlier.days_after_start} days). Sessions go in "
                "order: change the days, or remove a session and add it again at the end."
            )
    return ""


@transaction.atomic
def session_plan_update(
    *,
    service: Service,
    rows: list[SessionPlanRow],
    by: User,
    request: HttpRequest | None = None,
) -> list[SessionPlanEntry]:
    """Replace the service's session plan, numbered 1 to n in the order given. It applies to
    episodes opened from now on: an episode already open keeps the appointments it was given."""
    problem = _session_plan_problem(rows)
    if problem:
        raise SessionPlanError(problem)
    Service.objects.select_for_update().get(pk=service.pk)
    before = list(
        service.session_plan.order_by("number").values_list(
            "kind", "default_minutes", "days_after_start"
        )
    )
    service.session_plan.all().delete()
    entries = SessionPlanEntry.objects.bulk_create(
        SessionPlanEntry(
            service=service,
            number=number,
            kind=row.kind,
            default_minutes=row.default_minutes,
            days_after_start=row.days_after_start,
        )
        for number, row in enumerate(rows, start=1)
    )
    audit_event_record(
        actor=by,
        action="care.session_plan.update",
        target=service,
        request=request,
        detail={
            "before": [list(row) for row in before],
            "after": [[row.kind, row.default_minutes, row.days_after_start] for row in rows],
        },
    )
    return entries


WORKING_CALENDAR_FIELDS = ("nation", "opens_at", "closes_at", "working_weekdays")


def service_working_calendar_set(
    *,
    service: Service,
    nation: str,
    opens_at: datetime.time,
    closes_at: datetime.time,
    working_weekdays: str,
    by: User | None,
    request: HttpRequest | None = None,
) -> Service:
    """Set when a service works (its nation's bank holidays, its hours and working days), which
    a risk flag's review window counts in. Raises ValidationError for hours that close before
    they open or days that are not day numbers; records which settings changed."""
    values = {
        "nation": nation,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "working_weekdays": "".join(sorted(set(working_weekdays))),
    }
    # The admin hands over an instance its form has already changed: compare with what is saved.
    stored = Service.objects.filter(pk=service.pk).values(*values).first() or {}
    changed = [name for name, value in values.items() if stored.get(name) != value]
    for name, value in values.items():
        setattr(service, name, value)
    service.full_clean(exclude=[f.name for f in Service._meta.fields if f.name not in values])
    if changed:
        service.save(update_fields=changed)
        audit_event_record(
            actor=by,
            action="service.working_calendar",
            target=service,
            request=request,
            detail={"changed": changed},
        )
    return service
