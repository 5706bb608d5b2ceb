"""The console's reads about patients, always within one service: another service's patient
is the same 404 as one that does not exist."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Role, User
from care.models import Episode, EpisodeStatus, Service
from care.selectors import episodes_with_next_appointment

# How the list may be narrowed by the state of the patient's latest episode.
STATUS_FILTERS: dict[str, str] = {
    "all": "All",
    "active": "In treatment",
    "waiting": "Waiting for a PWP",
    "ended": "Treatment ended",
}


def patients_for_service(
    *, service: Service, search: str = "", pwp_id: int | None = None, status: str = "all"
) -> QuerySet[Episode]:
    """One row per patient of ``service``: their latest episode here, with the patient, the
    PWP and the next appointment, in one query whatever the page size. ``search`` matches a
    first or last name, the email or the NHS number (spaces ignored)."""
    latest = (
        Episode.objects.filter(service=service, patient=OuterRef("patient"))
        .order_by("-started_on", "-pk")
        .values("pk")[:1]
    )
    episodes = Episode.objects.filter(service=service, pk=Subquery(latest))
    digits = re.sub(r"[\s-]", "", search)
    if digits.isdigit():
        # An NHS number is often typed in three groups: "943 476 5919".
        episodes = episodes.filter(patient__nhs_number__startswith=digits)
    else:
        for word in search.split():
            episodes = episodes.filter(
                Q(patient__first_name__icontains=word)
                | Q(patient__last_name__icontains=word)
                | Q(patient__email__icontains=word)
            )
    if pwp_id is not None:
        episodes = episodes.filter(pwp_id=pwp_id)
    if status == "active":
        episodes = episodes.filter(status=EpisodeStatus.ACTIVE)
    elif status == "waiting":
        episodes = episodes.filter(status=EpisodeStatus.ACTIVE, pwp__isnull=True)
    elif status == "ended":
        episodes = episodes.exclude(status=EpisodeStatus.ACTIVE)
    return episodes_with_next_appointment(episodes.select_related("patient", "pwp")).order_by(
        "patient__last_name", "patient__first_name", "pk"
    )


@dataclass(frozen=True)
class Caseload:
    pwp: User | None
    active: int


def caseload_sizes(*, service: Service) -> list[Caseload]:
    """Each active PWP of ``service`` with their number of patients in treatment (none too),
    and the patients waiting for a PWP last: two queries."""
    pwps = (
        User.objects.filter(role=Role.PWP, service=service, is_active=True)
        .annotate(
            active=Count(
                "caseload",
                filter=Q(caseload__status=EpisodeStatus.ACTIVE, caseload__service=service),
            )
        )
        .order_by("last_name", "first_name", "pk")
    )
    waiting = Episode.objects.filter(
        service=service, status=EpisodeStatus.ACTIVE, pwp__isnull=True
    ).count()
    return [Caseload(pwp=pwp, active=pwp.active) for pwp in pwps] + [
        Caseload(pwp=None, active=waiting)
    ]


def pwps_for_service(*, service: Service) -> QuerySet[User]:
    """The PWPs a patient of ``service`` may be given."""
    return User.objects.filter(role=Role.PWP, service=service, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )


def patient_get_for_console(*, service: Service, patient_id: int) -> User:
    """A patient with an episode in ``service``, ended or not; anyone else is a 404."""
    patient = (
        User.objects.filter(pk=patient_id, role=Role.PATIENT, episodes__service=service)
        .distinct()
        .first()
    )
    if patient is None:
        raise Http404("No such patient.")
    return patient


def episodes_for_console(*, service: Service, patient: User) -> list[Episode]:
    """A patient's episodes in ``service``, newest first, with their appointments."""
    return list(
        Episode.objects.filter(service=service, patient=patient)
        .select_related("pwp")
        .prefetch_related("appointments")
        .order_by("-started_on", "-pk")
    )
