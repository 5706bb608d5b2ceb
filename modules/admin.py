"""Service admins configure the programme here: which modules, mandatory or optional, order,
when each opens, and whether PWPs may waive mandatory ones."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from care.admin_audit import AuditedModelAdmin
from care.admin_scoping import SHARED, ScopedModelAdmin, ScopedTabularInline
from modules.models import (
    AssignmentChange,
    Module,
    ModuleVersion,
    ProgrammeEntry,
    ProgrammeSettings,
)


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(ScopedModelAdmin):
    service_path = "service"
    list_display = ("service", "pwps_may_waive")


@admin.register(ProgrammeEntry)
class ProgrammeEntryAdmin(ScopedModelAdmin):
    """A service's programme: one row per module, edited in the list. A service with no rows
    gets the default programme when its first episode starts."""

    service_path = "service"

    list_display = (
        "service",
        "position",
        "module",
        "mandatory",
        "in_every_programme",
        "unlock_rule",
        "unlock_session",
    )
    list_display_links = ("module",)
    list_editable = ("position", "mandatory", "in_every_programme", "unlock_rule", "unlock_session")
    list_filter = ("service", "mandatory", "unlock_rule")
    ordering = ("service", "position")


class ModuleVersionInline(ScopedTabularInline):
    model = ModuleVersion
    extra = 0
    fields = ("number", "title", "estimated_minutes", "step_count", "content_hash", "created_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Module)
class ModuleAdmin(ScopedModelAdmin):
    """Content comes from files in the repository (load_modules), so it is read-only here."""

    # Every service's programme draws on the same catalogue.
    service_path = SHARED

    list_display = ("slug", "kind", "position", "latest_version")
    list_filter = ("kind",)
    readonly_fields = ("slug", "kind", "tags", "position", "latest_version", "created_at")
    inlines = [ModuleVersionInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(AuditedModelAdmin):
    """PWPs' tailoring changes, for supervision and audit. Read-only."""

    service_path = "episode__service"

    def audit_patient(self, obj: AssignmentChange) -> Any:  # type: ignore[override]
        return obj.episode.patient

    list_display = ("created_at", "by", "kind", "assignment", "undone_at")
    list_filter = ("kind",)
    readonly_fields = [field.name for field in AssignmentChange._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
