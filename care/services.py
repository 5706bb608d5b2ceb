"""Writes for services, episodes, appointments and the audit trail."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest

from accounts.client_address import client_address
from care.end_guards import episode_end_refusals
from care.models import (
    Appointment,
    AppointmentKind,
    AuditEvent,
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
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Episode:
    """The care half of opening an episode: the row and its appointments from the service's
    session plan. Callers open an episode with ``treatment.services.episode_start``, which also
    assigns the programme; this function is its building block."""
    episode = Episode.objects.create(
        patient=patient, pwp=pwp, service=service, started_on=started_on
    )
    zone = zoneinfo.ZoneInfo(service.time_zone)
    Appointment.objects.bulk_create(
        Appointment(
            episode=episode,
            number=entry.number,
            kind=entry.kind,
            scheduled_at=datetime.datetime.combine(
                started_on + datetime.timedelta(days=entry.days_after_start),
                first_session_time,
                tzinfo=zone,
            ),
        )
        for entry in service.session_plan.order_by("number")
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
    status: str,
    ended_on: datetime.date,
    by: User | None,
    request: HttpRequest | None = None,
) -> Episode:
    """End a course of treatment. Episodes end; they are never deleted."""
    if status == EpisodeStatus.ACTIVE:
        raise EpisodeChangeError("An episode ends as completed, dropped out or discharged.")
    # Locked so two people ending the same episode at once record one ending, not two.
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    if not locked.is_active:
        raise EpisodeChangeError("This treatment has already ended.")
    if ended_on < locked.started_on:
        raise EpisodeChangeError("An episode cannot end before it started.")
    refusals = episode_end_refusals(episode=locked)
    if refusals:
        raise EpisodeChangeError(" ".join(refusals))
    locked.status = status
    locked.ended_on = ended_on
    locked.save(update_fields=["status", "ended_on"])
    audit_event_record(
        actor=by,
        action="episode.end",
        patient=locked.patient,
        target=locked,
        request=request,
        detail={"status": status},
    )
    episode.status, episode.ended_on = locked.status, locked.ended_on
    return locked


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
