from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from accounts.credentials import device_tokens_revoke_all, user_deactivate
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

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_deactivate(user=obj, by=request.user, request=request)  # type: ignore[arg-type]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response: HttpResponse = super().user_change_password(request, id, form_url)
        # Django's form has set the password and redirects only when it did.
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            if user is not None:
                device_tokens_revoke_all(
                    user=user,
                    by=request.user,  # type: ignore[arg-type]
                    reason="admin_password_set",
                    request=request,
                )
        return response


@admin.register(DeviceToken)
class DeviceTokenAdmin(AuditedModelAdmin):
    def audit_patient(self, obj: DeviceToken) -> User | None:  # type: ignore[override]
        return obj.user if obj.user.is_patient else None

    list_display = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash",)
