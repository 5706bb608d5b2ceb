"""Admin for the audit trail. Services and episodes are in treatment/admin.py (adding one goes
through the treatment services); risk flags in safety/admin.py."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from care.admin_audit import AuditedModelAdmin
from care.models import AuditEvent


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
