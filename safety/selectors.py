"""Reads of risk flags, each scoped to what the member of staff asking may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from care.models import DutyQueueMember
from safety.models import RiskFlag, RiskFlagRoute, RiskFlagStatus


def _duty_scope(*, staff: User) -> Q | None:
    """The flags ``staff`` sees as part of a duty queue, or None."""
    if staff.role == Role.SERVICE_ADMIN and staff.service_id is not None:
        service_ids = {staff.service_id}
    else:
        service_ids = set()
    service_ids |= set(
        DutyQueueMember.objects.filter(staff=staff).values_list("service_id", flat=True)
    )
    if not service_ids:
        return Q(service__isnull=True) if staff.is_superuser else None
    return Q(service_id__in=service_ids) & (
        Q(route=RiskFlagRoute.DUTY_QUEUE) | Q(escalated_at__isnull=False)
    )


def _staff_scope(*, staff: User) -> Q | None:
    scope: Q | None = None
    if staff.role == Role.PWP:
        scope = Q(pwp=staff)
    if staff.role in (Role.PWP, Role.SERVICE_ADMIN):
        duty = _duty_scope(staff=staff)
        if duty is not None:
            scope = duty if scope is None else scope | duty
    return scope


def risk_flags_open_for_staff(*, staff: User) -> QuerySet[RiskFlag]:
    """Open flags for this person: a PWP's own, plus the duty queue they are on (a service
    admin sees their service's duty queue). Oldest first: the longest wait comes first."""
    scope = _staff_scope(staff=staff)
    if scope is None:
        return RiskFlag.objects.none()
    return (
        RiskFlag.objects.filter(scope)
        .exclude(status=RiskFlagStatus.CLOSED)
        .select_related("patient", "pwp", "service", "acknowledged_by")
        .order_by("created_at", "id")
    )


def risk_flag_get_for_staff(*, staff: User, flag_id: int) -> RiskFlag:
    """One flag this person may review, open or closed; 404 exactly as for a missing flag."""
    scope = _staff_scope(staff=staff)
    if scope is None:
        raise Http404("No such flag.")
    if staff.role == Role.SERVICE_ADMIN and staff.service_id is not None:
        # Service admins oversee every flag in their service, not only the duty queue.
        scope |= Q(service_id=staff.service_id)
    flag = (
        RiskFlag.objects.filter(scope, pk=flag_id)
        .select_related("patient", "pwp", "service", "episode", "reviewed_by", "source_response")
        .first()
    )
    if flag is None:
        raise Http404("No such flag.")
    return flag


def open_risk_flags_for_episodes(*, episode_ids: Iterable[int]) -> dict[int, list[RiskFlag]]:
    """Open flags by episode id, in one query, for a caseload the caller has already scoped.

    Every id asked about is in the answer (with an empty list when it has no open flag).
    """
    ids = list(episode_ids)
    flags: dict[int, list[RiskFlag]] = defaultdict(list)
    # Acknowledged flags are still open until closed: they stay first on the caseload.
    for flag in (
        RiskFlag.objects.filter(episode_id__in=ids)
        .exclude(status=RiskFlagStatus.CLOSED)
        .order_by("created_at", "id")
    ):
        assert flag.episode_id is not None
        flags[flag.episode_id].append(flag)
    return {episode_id: flags.get(episode_id, []) for episode_id in ids}
