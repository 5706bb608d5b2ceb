from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import DeviceToken, User
from care.admin_audit import AuditedAdminMixin, AuditedModelAdmin


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    def audit_patient(self, obj: User) -> User | None:  # type: ignore[override]
        return obj if obj.is_patient else None

    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "service",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "service", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("bcbt", {"fields": ("role", "service", "time_zone", "phone_number")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("bcbt", {"fields": ("role", "service", "email", "first_name", "last_name")}),
    )


@admin.register(DeviceToken)
class DeviceTokenAdmin(AuditedModelAdmin):
    def audit_patient(self, obj: DeviceToken) -> User | None:  # type: ignore[override]
        return obj.user if obj.user.is_patient else None

    list_display = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash",)
