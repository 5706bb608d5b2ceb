"""Service admins configure the programme here: which modules, mandatory or optional, order,
when each opens, and whether PWPs may waive mandatory ones."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from care.admin_audit import AuditedModelAdmin
from care.admin_scoping import SHARED, ScopedModelAdmin, ScopedTabularInline
from modules.models import (
    AssignmentChange,
    Module,
    ModuleVersion,
    ProgrammeEntry,
    ProgrammeSettings,
)
from modules.services import (
    EntryRules,
    Inclusion,
    ProgrammeRuleError,
    programme_change_apply,
    programme_entry_move,
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
        "pwps_may_waive",
    )
    list_display_links = ("module",)
    list_editable = ("position", "mandatory", "in_every_programme", "unlock_rule", "unlock_session")
    list_filter = ("service", "mandatory", "unlock_rule")
    ordering = ("service", "position")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A row is one module in one service: change it by retiring it and adding another.
        return ("service", "module") if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: ProgrammeEntry, form: Any, change: bool
    ) -> None:
        """Through the same service as the console, so a change reaches the patients in
        treatment by the programme rule (modules/services/programme.py) and is audited."""
        after = EntryRules(
            Inclusion.of(obj), obj.unlock_rule, obj.unlock_session, obj.pwps_may_waive
        )
        stored = ProgrammeEntry.objects.filter(pk=obj.pk).first() if change else None
        try:
            if stored is None or (
                Inclusion.of(stored),
                stored.unlock_rule,
                stored.unlock_session,
                stored.pwps_may_waive,
            ) != (after.inclusion, after.unlock_rule, after.unlock_session, after.waivable):
                impact = programme_change_apply(
                    by=request.user,  # type: ignore[arg-type]
                    service=obj.service,
                    module=obj.module,
                    after=after,
                    expected_count=None,
                    request=request,
                )
                messages.info(
                    request,
                    f"{obj.module}: {impact.count} patients' programmes changed "
                    f"({impact.kept_started} started and {impact.kept_tailored} tailored kept).",
                )
            saved = ProgrammeEntry.objects.get(service=obj.service, module=obj.module)
            if saved.position != obj.position:
                programme_entry_move(
                    by=request.user,  # type: ignore[arg-type]
                    service=obj.service,
                    entry_id=saved.pk,
                    position=min(obj.position, obj.service.programme_entries.count()),
                    request=request,
                )
        except ProgrammeRuleError as error:
            messages.error(request, str(error))
            return
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: ProgrammeEntry) -> None:
        programme_change_apply(
            by=request.user,  # type: ignore[arg-type]
            service=obj.service,
            module=obj.module,
            after=None,
            expected_count=None,
            request=request,
        )

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        # Bulk deletion would skip the service; delete one row at a time.
        actions.pop("delete_selected", None)
        return actions


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
