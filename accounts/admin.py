from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.account_removal import (
    AccountHasAuditTrail,
    account_audit_event_count,
    account_deactivate,
    account_delete,
    account_may_be_deleted,
)
from accounts.credentials import device_tokens_revoke_all
from accounts.models import DeviceToken, Role, User
from care.admin_audit import AuditedAdminMixin, AuditedModelAdmin
from care.admin_scoping import SUPERUSER_ONLY, ServiceScopedAdminMixin

# What a service admin who is not a superuser may never set: these would let them out of their
# service or raise their own powers.
ESCALATING_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")
ROLES_A_SERVICE_ADMIN_ASSIGNS = (Role.PATIENT, Role.PWP, Role.NAVIGATOR)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, ServiceScopedAdminMixin, DjangoUserAdmin):
    service_path = "service"
    actions = ["deactivate_accounts"]

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
        ("bcbt", {"fields": ("role", "service", "time_zone", "phone_number", "nhs_number")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("bcbt", {"fields": ("role", "service", "email", "first_name", "last_name")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        fields += ESCALATING_FIELDS
        if obj is not None and obj.pk == request.user.pk:
            fields += ["role", "service"]
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A service admin does not change a fellow service admin's account (their email or
        # password would be a way into that account); a superuser does.
        if (
            obj is not None
            and not request.user.is_superuser
            and obj.pk != request.user.pk
            and (obj.is_superuser or obj.role == Role.SERVICE_ADMIN)
        ):
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(role.value, role.label) for role in ROLES_A_SERVICE_ADMIN_ASSIGNS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "service" and not request.user.is_superuser:
            # An account with no service would drop out of every service admin's sight.
            field.required = True
            field.empty_label = None
        return field

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk deletion would skip the check below: accounts are deleted one at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Deactivate the selected accounts", permissions=["change"])
    def deactivate_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            account_deactivate(by=request.user, user=user, request=request)  # type: ignore[arg-type]
        self.message_user(request, f"Deactivated {queryset.count()} account(s).")

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        user = self.get_object(request, object_id)
        if user is not None and not account_may_be_deleted(user=user):
            error = AccountHasAuditTrail(user, account_audit_event_count(user=user))
            self.message_user(request, str(error), level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Unticking "Active" is a deactivation: it goes through the service, which audits it.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            account_deactivate(by=request.user, user=obj, request=request)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        account_delete(by=request.user, user=obj, request=request)  # type: ignore[arg-type]

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
    service_path = "user__service"

    def audit_patient(self, obj: DeviceToken) -> User | None:  # type: ignore[override]
        return obj.user if obj.user.is_patient else None

    list_display = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash",)


# Admins that other packages register, scoped the same way. Email addresses are a way into an
# account, so a service admin reaches only their own service's.
def _reregister(model: Any, admin_class: type[admin.ModelAdmin[Any]]) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


class ScopedEmailAddressAdmin(ServiceScopedAdminMixin, EmailAddressAdmin):
    service_path = "user__service"


class SuperuserOnlyGroupAdmin(ServiceScopedAdminMixin, GroupAdmin):  # type: ignore[misc]
    # Group permissions are how a member of staff gets admin powers.
    service_path = SUPERUSER_ONLY


class SuperuserOnlyAuthenticatorAdmin(ServiceScopedAdminMixin, AuthenticatorAdmin):
    # Second-factor secrets: only a superuser removes one (staff reset their own).
    service_path = SUPERUSER_ONLY


class SuperuserOnlyAccessAttemptAdmin(ServiceScopedAdminMixin, AccessAttemptAdmin):
    # Sign-in attempts of every service; navigators unlock patients on their own page.
    service_path = SUPERUSER_ONLY


class SuperuserOnlyAccessLogAdmin(ServiceScopedAdminMixin, AccessLogAdmin):
    service_path = SUPERUSER_ONLY


class SuperuserOnlyAccessFailureLogAdmin(ServiceScopedAdminMixin, AccessFailureLogAdmin):
    service_path = SUPERUSER_ONLY


_reregister(EmailAddress, ScopedEmailAddressAdmin)
_reregister(Group, SuperuserOnlyGroupAdmin)
_reregister(Authenticator, SuperuserOnlyAuthenticatorAdmin)
_reregister(AccessAttempt, SuperuserOnlyAccessAttemptAdmin)
_reregister(AccessLog, SuperuserOnlyAccessLogAdmin)
_reregister(AccessFailureLog, SuperuserOnlyAccessFailureLogAdmin)
