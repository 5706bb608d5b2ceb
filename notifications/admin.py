from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from care.admin_audit import AuditedModelAdmin
from care.admin_scoping import ScopedModelAdmin
from notifications.models import Notification, NotificationPreference, ServiceNotificationPolicy


@admin.register(ServiceNotificationPolicy)
class ServiceNotificationPolicyAdmin(ScopedModelAdmin):
    service_path = "service"
    list_display = ("service", "max_per_week", "max_per_day", "quiet_start", "quiet_end")
    list_select_related = ("service",)


@admin.register(Notification)
class NotificationAdmin(AuditedModelAdmin):
    """Delivery facts for support; the outbox is written by the services, never by hand."""

    service_path = "recipient__service"

    list_display = ("id", "kind", "channel", "state", "recipient", "due_at", "sent_at", "attempts")
    list_filter = ("state", "kind", "channel")
    list_select_related = ("recipient",)
    search_fields = ("key",)
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedModelAdmin):
    service_path = "patient__service"
    list_display = ("patient", "contact_by", "weekly_max", "reminder_time", "paused_until")
    list_select_related = ("patient",)
    raw_id_fields = ("patient",)
