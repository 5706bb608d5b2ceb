"""Reads for the console's overview: one service's figures, never another's."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from care.models import Episode, EpisodeStatus, Service
from safety.models import RiskFlag, RiskFlagStatus


@dataclass(frozen=True)
class ServiceOverview:
    in_treatment: int
    waiting_for_pwp: int
    ended: int
    open_flags: int


def service_overview(*, service: Service) -> ServiceOverview:
    episodes = Episode.objects.filter(service=service).aggregate(
        in_treatment=Count("pk", filter=Q(status=EpisodeStatus.ACTIVE)),
        waiting_for_pwp=Count("pk", filter=Q(status=EpisodeStatus.ACTIVE, pwp__isnull=True)),
        ended=Count("pk", filter=~Q(status=EpisodeStatus.ACTIVE)),
    )
    open_flags = (
        RiskFlag.objects.filter(service=service).exclude(status=RiskFlagStatus.CLOSED).count()
    )
    return ServiceOverview(open_flags=open_flags, **episodes)


def services_for_picker() -> list[Service]:
    return list(Service.objects.order_by("name"))
