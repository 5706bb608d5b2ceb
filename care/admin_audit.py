"""Audit staff reads of patient data in Django admin, like every other staff read."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from care.admin_scoping import ScopedModelAdmin
from care.services import audit_event_record


class AuditedAdminMixin:
    """Records an audit event when staff open a patient's record or a list of records.

    Subclasses say whose record a row is with ``audit_patient``; the event holds the model and
    id, never the content.
    """

    def audit_patient(self, obj: models.Model) -> Any:
        return getattr(obj, "patient", None)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response: HttpResponse = super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is not None and response.status_code == 200:
            audit_event_record(
                actor=request.user,  # type: ignore[arg-type]
                action=f"admin.view.{obj._meta.model_name}",
                patient=self.audit_patient(obj),
                target=obj,
                request=request,
            )
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response: HttpResponse = super().changelist_view(request, extra_context)  # type: ignore[misc]
        if response.status_code == 200:
            audit_event_record(
                actor=request.user,  # type: ignore[arg-type]
                action=f"admin.list.{self.model._meta.model_name}",  # type: ignore[attr-defined]
                request=request,
            )
        return response


class AuditedModelAdmin(AuditedAdminMixin, ScopedModelAdmin):
    """Audited and scoped to the admin's service: subclasses set ``service_path``."""
