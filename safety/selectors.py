"""Reads of risk flags, each scoped to what the member of staff asking may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User
from care.models import DutyQueueMember
from notifications.models import Notification, NotificationKind, NotificationState
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

    Every id asked about is in the answer (with an empty list when it has no open flag). Given
    a query of ids instead (``values_list("pk", flat=True)``, sent as a subquery, for a whole
    service), only episodes with an open flag are in the answer.
    """
    flags: dict[int, list[RiskFlag]] = defaultdict(list)
    # Acknowledged flags are still open until closed: they stay first on the caseload.
    not_closed = RiskFlag.objects.exclude(status=RiskFlagStatus.CLOSED).order_by("created_at", "id")
    if isinstance(episode_ids, QuerySet):
        for flag in not_closed.filter(episode_id__in=episode_ids):
            assert flag.episode_id is not None
            flags[flag.episode_id].append(flag)
        return dict(flags)
    ids = list(episode_ids)
    for flag in not_closed.filter(episode_id__in=ids):
        assert flag.episode_id is not None
        flags[flag.episode_id].append(flag)
    return {episode_id: flags.get(episode_id, []) for episode_id in ids}


# The keys risk_flag_raise and risk_flag_escalate give alerts; the flag's id is the second part.
_ALERT_KEY = r"^risk-flag(-escalated)?:[0-9]+:"
FAILED_ALERT_STATES = (NotificationState.FAILED, NotificationState.DEAD)


def risk_flags_with_failed_alerts(*, flag_ids: Iterable[int]) -> set[int]:
    """The flags among ``flag_ids`` whose email or text alert failed or died, in one query.

    Such a flag is shown with a warning wherever it is listed: the person it was sent to may not
    know about it, and only the page can tell them (the alert is also in their in-app list)."""
    wanted = set(flag_ids)
    if not wanted:
        return set()
    keys = Notification.objects.filter(
        kind=NotificationKind.STAFF_ALERT, state__in=FAILED_ALERT_STATES, key__regex=_ALERT_KEY
    ).values_list("key", flat=True)
    failing = {int(key.split(":")[1]) for key in keys}
    return failing & wanted
