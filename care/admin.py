from __future__ import annotations

from django.contrib import admin

from care.admin_audit import AuditedModelAdmin
from care.models import (
    Appointment,
    AuditEvent,
    DutyQueueMember,
    Episode,
    RiskFlag,
    Service,
    SessionPlanEntry,
)


class SessionPlanInline(admin.TabularInline):
    model = SessionPlanEntry
    extra = 0


class DutyQueueInline(admin.TabularInline):
    model = DutyQueueMember
    extra = 0
    raw_id_fields = ("staff",)
    verbose_name = "duty queue member"
    verbose_name_plural = "duty queue (empty: the service admins are the duty queue)"


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SessionPlanInline, DutyQueueInline]


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0


@admin.register(Episode)
class EpisodeAdmin(AuditedModelAdmin):
    list_display = ("patient", "pwp", "service", "status", "started_on", "ended_on")
    list_filter = ("service", "status", "pwp")
    raw_id_fields = ("patient", "pwp")
    inlines = [AppointmentInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "actor",
        "actor_role",
        "action",
        "patient",
        "object_type",
        "object_id",
    )
    list_filter = ("action", "actor_role")
    date_hierarchy = "occurred_at"

    # The audit trail is append-only, even for admins.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(RiskFlag)
class RiskFlagAdmin(AuditedModelAdmin):
    """Read-only: flags are closed with a note on the clinician page, where it is audited."""

    list_display = ("id", "patient", "service", "status", "route", "pwp", "created_at")
    list_filter = ("status", "route", "service")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
