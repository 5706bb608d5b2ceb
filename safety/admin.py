from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from care.admin_audit import AuditedModelAdmin
from safety.models import RiskFlag


@admin.register(RiskFlag)
class RiskFlagAdmin(AuditedModelAdmin):
    """Read-only: flags are closed with a note on the flag page, through the close service,
    where it is audited; they are never deleted."""

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
