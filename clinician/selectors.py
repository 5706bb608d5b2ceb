from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role, User
from care.models import Appointment, AppointmentStatus, Episode, EpisodeStatus


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
