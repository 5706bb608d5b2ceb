"""Reads of care data, each scoped to what the person asking may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
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


# "The next appointment" of an episode, defined once: the earliest one still scheduled whose
# time has not passed. A session that has started but is not recorded yet is no longer "next".
def _upcoming(now: datetime.datetime) -> Q:
    return Q(status=AppointmentStatus.SCHEDULED, scheduled_at__gte=now)


def appointment_is_upcoming(appointment: Appointment, *, now: datetime.datetime) -> bool:
    """The same rule as ``_upcoming``, for appointments already in memory."""
    return appointment.status == AppointmentStatus.SCHEDULED and appointment.scheduled_at >= now


def appointment_next_among(
    appointments: Iterable[Appointment], *, now: datetime.datetime
) -> Appointment | None:
    """The next appointment among an episode's appointments already fetched (no query)."""
    upcoming = [item for item in appointments if appointment_is_upcoming(item, now=now)]
    return min(upcoming, key=lambda item: item.scheduled_at, default=None)


def appointment_next_for_episode(
    *, episode: Episode, now: datetime.datetime | None = None
) -> Appointment | None:
    """The next appointment of one episode, in one query."""
    return (
        Appointment.objects.filter(_upcoming(now or timezone.now()), episode=episode)
        .order_by("scheduled_at")
        .first()
    )


def episodes_with_next_appointment(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """Annotate each episode with its next scheduled appointment (time, kind and number) in the
    same query: ``next_appointment_at``, ``next_appointment_kind``, ``next_appointment_number``."""
    upcoming = Appointment.objects.filter(
        _upcoming(timezone.now()), episode=OuterRef("pk")
    ).order_by("scheduled_at")
    return episodes.annotate(
        next_appointment_at=Subquery(upcoming.values("scheduled_at")[:1]),
        next_appointment_kind=Subquery(upcoming.values("kind")[:1]),
        next_appointment_number=Subquery(upcoming.values("number")[:1]),
    )


def caseload_for_staff(*, staff: User) -> QuerySet[Episode]:
    """The caseload, for the PWP's page and the API alike: a PWP's active episodes (a service
    admin's: their service's), each with its next appointment, in one query. Soonest session
    first; patients with no session booked last, then by name."""
    episodes = Episode.objects.filter(status=EpisodeStatus.ACTIVE)
    if staff.role == Role.PWP:
        episodes = episodes.filter(pwp=staff)
    elif staff.role == Role.SERVICE_ADMIN and staff.service_id is not None:
        episodes = episodes.filter(service_id=staff.service_id)
    else:
        episodes = episodes.none()
    return episodes_with_next_appointment(
        episodes.select_related("patient", "pwp", "service")
    ).order_by(F("next_appointment_at").asc(nulls_last=True), "patient__last_name", "pk")


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


def patient_get_for_service_admin(*, staff: User, patient_id: int) -> User:
    """A patient of this service admin's service, whether or not their treatment has ended (a
    subject access request may come years later). Anyone else gets the same 404."""
    if staff.role != Role.SERVICE_ADMIN or staff.service_id is None:
        raise Http404("No such patient.")
    episode = (
        Episode.objects.filter(patient_id=patient_id, service_id=staff.service_id)
        .select_related("patient")
        .first()
    )
    if episode is None:
        raise Http404("No such patient.")
    return episode.patient
