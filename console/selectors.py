"""Reads for the console's overview: one service's figures, never another's."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from care.models import Episode, EpisodeStatus, Service
from modules.models import Module, ProgrammeEntry, UnlockRule
from modules.selectors import modules_library
from modules.services import Inclusion
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


@dataclass(frozen=True)
class ProgrammeRow:
    entry: ProgrammeEntry
    module: Module
    inclusion: str

    @property
    def inclusion_label(self) -> str:
        return {
            Inclusion.MANDATORY: "Mandatory",
            Inclusion.OPTIONAL: "Optional",
            Inclusion.OFFERED: "Offered (PWPs add it)",
        }[self.inclusion]

    @property
    def opens(self) -> str:
        if self.entry.unlock_rule == UnlockRule.AFTER_SESSION:
            return f"After session {self.entry.unlock_session}"
        return str(dict(UnlockRule.choices)[self.entry.unlock_rule])


def programme_rows(*, service: Service) -> tuple[list[ProgrammeRow], list[Module]]:
    """The service's programme in order, and the library's modules not in it. Two queries."""
    entries = list(
        ProgrammeEntry.objects.filter(service=service, module__latest_version__isnull=False)
        .select_related("module", "module__latest_version")
        .order_by("position", "pk")
    )
    rows = [
        ProgrammeRow(entry=entry, module=entry.module, inclusion=Inclusion.of(entry))
        for entry in entries
    ]
    used = {entry.module_id for entry in entries}
    return rows, [module for module in modules_library() if module.pk not in used]


def programme_entry_get(*, service: Service, entry_id: int) -> ProgrammeEntry:
    """One entry of this service's programme; 404 for another service's or none."""
    entry = ProgrammeEntry.objects.filter(service=service, pk=entry_id).first()
    if entry is None:
        raise Http404("That module is not in the programme.")
    return entry
