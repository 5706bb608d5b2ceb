"""Writes for services, episodes, appointments and the audit trail."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest

from accounts.client_address import client_address
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


@transaction.atomic
def service_create(*, name: str, slug: str, time_zone: str = "Europe/London") -> Service:
    """Create a service with the default session plan, which its admin may then change."""
    service = Service.objects.create(name=name, slug=slug, time_zone=time_zone)
    SessionPlanEntry.objects.bulk_create(
        SessionPlanEntry(service=service, number=number, kind=kind, days_after_start=days)
        for number, kind, days in DEFAULT_SESSION_PLAN
    )
    return service


@transaction.atomic
def episode_start(
    *,
    patient: User,
    service: Service,
    pwp: User | None,
    started_on: datetime.date,
    first_session_time: datetime.time = datetime.time(10, 0),
    by: User | None = None,
) -> Episode:
    """Open an episode and book its appointments from the service's session plan."""
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
    audit_event_record(actor=by, action="episode.start", patient=patient, target=episode)
    from modules.services import assignments_create_for_episode  # local: modules imports care

    assignments_create_for_episode(episode=episode)
    return episode


def episode_end(
    *, episode: Episode, status: str, ended_on: datetime.date, by: User | None
) -> Episode:
    if status == EpisodeStatus.ACTIVE:
        raise ValueError("An episode ends as completed, dropped out or discharged.")
    episode.status = status
    episode.ended_on = ended_on
    episode.save(update_fields=["status", "ended_on"])
    audit_event_record(actor=by, action="episode.end", patient=episode.patient, target=episode)
    return episode
