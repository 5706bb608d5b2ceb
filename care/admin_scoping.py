"""Django admin scoped to one service, for service admins who are not superusers.

Every registered ModelAdmin (and inline) says where its rows' service is with ``service_path``:
an ORM path from the model to ``care.Service`` (``"service"``, ``"episode__service"``), a tuple
of such paths (a row belongs to the service if any matches), ``SUPERUSER_ONLY`` (nobody else sees
it at all) or ``SHARED`` (content every service shares: read-only for non-superusers). A
non-superuser then lists and opens only their service's rows (another service's row is "does not
exist"), and every foreign-key choice is limited the same way, through the admin registered for
the related model. ``tests/care/test_admin_scoping.py`` walks ``admin.site._registry`` and fails
on any admin that does not say.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest

SUPERUSER_ONLY = "<superuser only>"
SHARED = "<shared by every service, read-only>"


def _is_superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


def _service_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "service_id", None)


def scope_queryset(
    queryset: QuerySet[Any], *, service_path: str | tuple[str, ...], request: HttpRequest
) -> QuerySet[Any]:
    """``queryset`` narrowed to what ``request.user`` may see under ``service_path``."""
    if _is_superuser(request) or service_path == SHARED:
        return queryset
    service_id = _service_id(request)
    if service_path == SUPERUSER_ONLY or service_id is None or not service_path:
        return queryset.none()
    paths = (service_path,) if isinstance(service_path, str) else service_path
    condition = Q()
    for path in paths:
        condition |= Q(**{path: service_id})
    return queryset.filter(condition)


def related_choices(
    model: type[models.Model], *, admin_site: admin.AdminSite, request: HttpRequest
) -> QuerySet[Any]:
    """The rows of ``model`` a foreign-key field may offer: scoped like that model's own admin.
    A model with no scoped admin offers nothing to a non-superuser (closed, not open)."""
    queryset = model._default_manager.all()
    registered = admin_site._registry.get(model)
    service_path = getattr(registered, "service_path", "")
    if model._meta.label == "care.Service":
        service_path = "pk"
    return scope_queryset(queryset, service_path=service_path, request=request)


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to the user's service (admins and inlines)."""

    admin_site: admin.AdminSite

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not _is_superuser(request) and "queryset" not in kwargs:
            kwargs["queryset"] = related_choices(
                db_field.related_model, admin_site=self.admin_site, request=request
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not _is_superuser(request) and "queryset" not in kwargs:
            kwargs["queryset"] = related_choices(
                db_field.related_model, admin_site=self.admin_site, request=request
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ServiceScopedAdminMixin(ScopedChoicesMixin):
    """Rows, choices, filters and permissions of one ModelAdmin, scoped to the user's service."""

    service_path: str | tuple[str, ...] = ""
    model: type[models.Model]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scope_queryset(queryset, service_path=self.service_path, request=request)

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = list(super().get_list_filter(request))  # type: ignore[misc]
        if _is_superuser(request):
            return filters
        # The default filter for a relation lists every row of the related table, other
        # services' staff included; this one lists only values in the scoped rows.
        scoped: list[Any] = []
        for entry in filters:
            if isinstance(entry, str) and self._is_relation(entry):
                scoped.append((entry, admin.RelatedOnlyFieldListFilter))
            else:
                scoped.append(entry)
        return scoped

    def _is_relation(self, name: str) -> bool:
        try:
            field = self.model._meta.get_field(name)
        except Exception:  # A lookup path such as "episode__service": left as declared.
            return False
        return bool(field.is_relation)

    def _denied(self, request: HttpRequest) -> bool:
        return self.service_path == SUPERUSER_ONLY and not _is_superuser(request)

    def _read_only(self, request: HttpRequest) -> bool:
        return self.service_path == SHARED and not _is_superuser(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return not self._denied(request) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._denied(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if self._denied(request) or self._read_only(request):
            return False
        return bool(super().has_add_permission(request, *args))  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._denied(request) or self._read_only(request):
            return False
        return bool(super().has_change_permission(request, obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self._denied(request) or self._read_only(request):
            return False
        return bool(super().has_delete_permission(request, obj))  # type: ignore[misc]


class ScopedModelAdmin(ServiceScopedAdminMixin, admin.ModelAdmin):
    pass


class SuperuserOnlyModelAdmin(ScopedModelAdmin):
    """For tables that hold no one service's rows and that only a superuser may touch."""

    service_path = SUPERUSER_ONLY


class ScopedTabularInline(ScopedChoicesMixin, admin.TabularInline):
    pass
