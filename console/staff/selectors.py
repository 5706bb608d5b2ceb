"""The console's reads about staff, always within one service."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.registration import STAFF_INVITE_ROLES
from care.models import DutyQueueMember, EpisodeStatus, Service


def staff_for_service(*, service: Service) -> QuerySet[User]:
    """Everyone on ``service``'s staff, active first, each with ``caseload_size`` (patients in
    treatment), ``mfa_set_up`` (an authenticator app) and ``on_duty`` (on the duty queue), in
    one query."""
    return (
        User.objects.filter(service=service, role__in=STAFF_INVITE_ROLES)
        .annotate(
            caseload_size=Count(
                "caseload", filter=Q(caseload__status=EpisodeStatus.ACTIVE), distinct=True
            ),
            mfa_set_up=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            ),
            on_duty=Exists(DutyQueueMember.objects.filter(service=service, staff=OuterRef("pk"))),
        )
        .order_by("-is_active", "role", "last_name", "first_name", "pk")
    )


def staff_get_for_console(*, service: Service, staff_id: int) -> User:
    """A member of ``service``'s staff; anyone else (a patient, another service's staff) is a
    404."""
    staff = User.objects.filter(pk=staff_id, service=service, role__in=STAFF_INVITE_ROLES).first()
    if staff is None:
        raise Http404("No such member of staff.")
    return staff


def duty_queue_candidates(*, service: Service) -> QuerySet[User]:
    """Who may be put on the duty queue: active PWPs and service admins not on it yet
    (navigators never see clinical data, so they cannot review risk flags)."""
    return (
        User.objects.filter(service=service, is_active=True, role__in=["pwp", "service_admin"])
        .exclude(duty_queue_memberships__service=service)
        .order_by("last_name", "first_name", "pk")
    )


def duty_queue_for_service(*, service: Service) -> QuerySet[User]:
    return User.objects.filter(duty_queue_memberships__service=service).order_by(
        "last_name", "first_name", "pk"
    )
