from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from care.admin_audit import AuditedModelAdmin
from care.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from care.models import (
    Appointment,
    AuditEvent,
    DutyQueueMember,
    Episode,
    RiskFlag,
    Service,
    SessionPlanEntry,
)


class SessionPlanInline(ScopedTabularInline):
    model = SessionPlanEntry
    extra = 0


class DutyQueueInline(ScopedTabularInline):
    model = DutyQueueMember
    extra = 0
    raw_id_fields = ("staff",)
    verbose_name = "duty queue member"
    verbose_name_plural = "duty queue (empty: the service admins are the duty queue)"


@admin.register(Service)
class ServiceAdmin(ScopedModelAdmin):
    service_path = "pk"
    list_display = ("name", "slug", "time_zone")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SessionPlanInline, DutyQueueInline]

    # A service admin configures their own service; only a superuser creates or removes one.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class AppointmentInline(ScopedTabularInline):
    model = Appointment
    extra = 0


@admin.register(Episode)
class EpisodeAdmin(AuditedModelAdmin):
    service_path = "service"
    list_display = ("patient", "pwp", "service", "status", "started_on", "ended_on")
    list_filter = ("service", "status", "pwp")
    raw_id_fields = ("patient", "pwp")
    inlines = [AppointmentInline]


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedModelAdmin):
    """Read-only, and itself audited: the trail names patients and what was done to them. A
    service admin sees the events of their service's staff and patients."""

    service_path = ("actor__service", "patient__service")
    list_display = (
        "occurred_at",
        "actor_username",
        "actor_role",
        "action",
        "patient",
        "object_type",
        "object_id",
    )
    list_filter = ("action", "actor_role")
    date_hierarchy = "occurred_at"

    # The audit trail is append-only, even for admins.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RiskFlag)
class RiskFlagAdmin(AuditedModelAdmin):
    """Read-only: flags are closed with a note on the clinician page, where it is audited."""

    service_path = "service"

    list_display = ("id", "patient", "service", "status", "route", "pwp", "created_at")
    list_filter = ("status", "route", "service")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
