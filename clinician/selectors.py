"""Reads for the PWP's pages, each scoped to what the person asking may see."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role, User
from care.models import (
    AgreedTask,
    Appointment,
    AppointmentStatus,
    Episode,
    EpisodeStatus,
    Service,
    SessionRecord,
)
from clinician.models import Message, SessionGuide

GUIDES_FILE = Path(__file__).parent / "content" / "session_guides.yaml"


def caseload_for_staff(*, staff: User) -> QuerySet[Episode]:
    """Active episodes a member of staff may see, each with its next appointment, in one query."""
    next_appointments = Appointment.objects.filter(
        episode=OuterRef("pk"),
        status=AppointmentStatus.SCHEDULED,
        scheduled_at__gte=timezone.now(),
    ).order_by("scheduled_at")
    episodes = Episode.objects.filter(status=EpisodeStatus.ACTIVE)
    if staff.role == Role.PWP:
        episodes = episodes.filter(pwp=staff)
    elif staff.service_id is not None:
        episodes = episodes.filter(service_id=staff.service_id)
    else:
        episodes = episodes.none()
    return (
        episodes.select_related("patient", "pwp")
        .annotate(
            next_appointment_at=Subquery(next_appointments.values("scheduled_at")[:1]),
            next_appointment_kind=Subquery(next_appointments.values("kind")[:1]),
            next_appointment_number=Subquery(next_appointments.values("number")[:1]),
        )
        .order_by("next_appointment_at", "patient__last_name")
    )


def messages_for_episode(*, episode: Episode) -> QuerySet[Message]:
    return Message.objects.filter(episode=episode).select_related("sender")


@cache
def _default_guides() -> dict[str, Any]:
    return yaml.safe_load(GUIDES_FILE.read_text())


def session_roles() -> dict[str, str]:
    """Who does what: the PWP, the navigator, and what nobody monitors."""
    return dict(_default_guides()["roles"])


def session_guide_for(*, service: Service, session_number: int) -> SessionGuide | None:
    """The service's own guide for a session, else bcbt's default, else None."""
    own = SessionGuide.objects.filter(service=service, session_number=session_number).first()
    if own is not None:
        return own
    default = _default_guides()["sessions"].get(session_number)
    if default is None:
        return None
    return SessionGuide(service=service, session_number=session_number, **default)


def plan_for_patient(*, episode: Episode) -> list[AgreedTask]:
    """The tasks agreed at the most recent recorded session: the plan for this week."""
    latest = (
        SessionRecord.objects.filter(appointment__episode=episode)
        .order_by("-appointment__number")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return []
    return list(AgreedTask.objects.filter(record_id=latest))
