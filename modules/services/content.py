"""Writes for module content and service programmes: loading the shipped modules, a
service's default programme, and a new episode's assignments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from care.models import Episode, Service
from modules.loader import CONTENT_DIR, content_parse_all
from modules.models import (
    Assignment,
    AssignmentSource,
    Module,
    ModuleKind,
    ModuleVersion,
    ProgrammeEntry,
    ProgrammeSettings,
    UnlockRule,
)

if TYPE_CHECKING:
    pass


# --- Content -----------------------------------------------------------------------------


@dataclass
class ModulesLoadResult:
    created_modules: int = 0
    created_versions: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created_modules} new modules, {self.created_versions} new versions, "
            f"{self.unchanged} unchanged"
        )


# Length: loads every shipped module version in one transaction, creating or keeping versions.
def modules_load(
    *,
    root: Path = CONTENT_DIR,
    module_model: Any = Module,
    version_model: Any = ModuleVersion,
) -> ModulesLoadResult:
    """Load every module folder under ``root`` into versioned records.

    Unchanged content creates nothing; changed content creates a new version and makes it the
    one new starters get, while anyone part-way through keeps the version they began. The model
    arguments let the data migration pass its historical models.
    """
    contents = content_parse_all(root)
    result = ModulesLoadResult()
    with transaction.atomic():
        existing = {
            module.slug: module
            for module in module_model.objects.select_related("latest_version").filter(
                slug__in=[content.slug for content in contents]
            )
        }
        for content in contents:
            module = existing.get(content.slug)
            if module is None:
                module = module_model.objects.create(
                    slug=content.slug,
                    kind=content.kind,
                    tags=content.tags,
                    position=content.position,
                )
                result.created_modules += 1
            elif (module.kind, module.tags, module.position) != (
                content.kind,
                content.tags,
                content.position,
            ):
                module.kind, module.tags, module.position = (
                    content.kind,
                    content.tags,
                    content.position,
                )
                module.save(update_fields=["kind", "tags", "position"])
            latest = module.latest_version
            if latest is not None and latest.content_hash == content.content_hash:
                result.unchanged += 1
                continue
            highest = version_model.objects.filter(module=module).aggregate(highest=Max("number"))[
                "highest"
            ]
            version = version_model.objects.create(
                module=module,
                number=(highest or 0) + 1,
                content_hash=content.content_hash,
                title=content.title,
                summary=content.summary,
                estimated_minutes=content.estimated_minutes,
                pages=content.pages,
                exercises=content.exercises,
                pwp_guide=content.pwp_guide,
                step_count=content.step_count,
            )
            module.latest_version = version
            module.save(update_fields=["latest_version"])
            result.created_versions += 1
    return result


# --- Service programmes ------------------------------------------------------------------

# The default programme for a service that has not configured one: the depression pathway,
# mandatory and in order, then the add-ons as optional. Sleep help opens at once because poor
# sleep is common from the start; thoughts, problem solving and staying well open after the
# sessions where a PWP usually introduces them. A module not named here gets the general rule
# for its kind. The long-term condition add-on is offered for PWPs to add when it fits.
DEFAULT_RULES: dict[str, tuple[bool, bool, str, int | None]] = {
    # slug: (mandatory, in every programme, unlock rule, unlock session)
    "understanding-low-mood": (True, True, UnlockRule.FROM_START, None),
    "activity-diary": (True, True, UnlockRule.AFTER_PREVIOUS, None),
    "planning-valued-activities": (True, True, UnlockRule.AFTER_PREVIOUS, None),
    "unhelpful-thoughts": (True, True, UnlockRule.AFTER_SESSION, 3),
    "problem-solving": (True, True, UnlockRule.AFTER_SESSION, 5),
    "better-sleep": (True, True, UnlockRule.FROM_START, None),
    "staying-well": (True, True, UnlockRule.AFTER_SESSION, 9),
    "long-term-conditions": (False, False, UnlockRule.FROM_START, None),
    "panic-and-physical-symptoms": (False, False, UnlockRule.FROM_START, None),
    "low-self-esteem": (False, False, UnlockRule.FROM_START, None),
}
GENERAL_RULES: dict[str, tuple[bool, bool, str, int | None]] = {
    ModuleKind.PATHWAY: (True, True, UnlockRule.AFTER_PREVIOUS, None),
    ModuleKind.ADD_ON: (False, True, UnlockRule.FROM_START, None),
}


@transaction.atomic
def programme_default_create(
    *, service: Service, add_ons_offered: bool = False
) -> list[ProgrammeEntry]:
    """Give a service with no programme the default one; a configured programme is left alone.

    With ``add_ons_offered`` the add-on modules are offered rather than given: in no one's
    programme until a PWP adds one (helped by the suggestions from the measures)."""
    existing = list(service.programme_entries.order_by("position", "pk"))
    if existing:
        return existing
    modules = sorted(
        Module.objects.filter(latest_version__isnull=False),
        key=lambda module: (module.kind != ModuleKind.PATHWAY, module.position, module.slug),
    )
    entries = []
    for position, module in enumerate(modules, start=1):
        mandatory, everyone, rule, session = DEFAULT_RULES.get(
            module.slug, GENERAL_RULES[module.kind]
        )
        if add_ons_offered and module.kind == ModuleKind.ADD_ON:
            everyone = False
        entries.append(
            ProgrammeEntry(
                service=service,
                module=module,
                mandatory=mandatory,
                in_every_programme=everyone,
                position=position,
                unlock_rule=rule,
                unlock_session=session,
            )
        )
    ProgrammeEntry.objects.bulk_create(entries)
    ProgrammeSettings.objects.get_or_create(service=service)
    return entries


@transaction.atomic
def assignments_create_for_episode(*, episode: Episode) -> list[Assignment]:
    """Give a new episode its service's programme as assignments (the default programme when
    the service has none). Safe to call again: modules already assigned are left alone."""
    entries = programme_default_create(service=episode.service)
    assigned = set(episode.module_assignments.values_list("module_id", flat=True))
    assignments = [
        Assignment(
            episode=episode,
            module_id=entry.module_id,
            mandatory=entry.mandatory,
            position=position,
            unlock_rule=entry.unlock_rule,
            unlock_session=entry.unlock_session,
            source=AssignmentSource.PROGRAMME,
        )
        for position, entry in enumerate(
            (entry for entry in entries if entry.in_every_programme), start=1
        )
        if entry.module_id not in assigned
    ]
    return Assignment.objects.bulk_create(assignments)
