"""Reads of care data, each scoped to what the person asking may see."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from care.models import Appointment, AppointmentStatus, Episode, EpisodeStatus


def episode_active_for_patient(*, patient: User) -> Episode | None:
    return (
        Episode.objects.filter(patient=patient, status=EpisodeStatus.ACTIVE)
        .select_related("service", "pwp")
        .first()
    )


def episodes_for_pwp(*, pwp: User) -> QuerySet[Episode]:
    """A PWP's caseload: their active episodes only."""
    return Episode.objects.filter(pwp=pwp, status=EpisodeStatus.ACTIVE).select_related(
        "patient", "service"
    )


def episodes_with_next_appointment(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """Annotate each episode with its next scheduled appointment (time, kind and number) in the
    same query: ``next_appointment_at``, ``next_appointment_kind``, ``next_appointment_number``."""
    upcoming = Appointment.objects.filter(
        episode=OuterRef("pk"),
        status=AppointmentStatus.SCHEDULED,
        scheduled_at__gte=timezone.now(),
    ).order_by("scheduled_at")
    return episodes.annotate(
        next_appointment_at=Subquery(upcoming.values("scheduled_at")[:1]),
        next_appointment_kind=Subquery(upcoming.values("kind")[:1]),
        next_appointment_number=Subquery(upcoming.values("number")[:1]),
    )


def episode_get_for_staff(*, staff: User, patient_id: int) -> Episode:
    """The active episode of a patient that this member of staff may see clinically.

    A PWP sees their own caseload; a service admin sees their service. Everyone else, and any
    patient outside that scope, gets the same 404 as a patient that does not exist.
    """
    episodes = Episode.objects.filter(
        patient_id=patient_id, status=EpisodeStatus.ACTIVE
    ).select_related("patient", "service", "pwp")
    if staff.role == Role.PWP:
        episodes = episodes.filter(pwp=staff)
    elif staff.role == Role.SERVICE_ADMIN and staff.service_id is not None:
        episodes = episodes.filter(service_id=staff.service_id)
    else:
        raise Http404("No such patient.")
    episode = episodes.first()
    if episode is None:
        raise Http404("No such patient.")
    return episode


def patient_get_for_staff(*, staff: User, patient_id: int) -> User:
    return episode_get_for_staff(staff=staff, patient_id=patient_id).patient
