from __future__ import annotations

from django.contrib import admin

from care.admin_scoping import ScopedModelAdmin
from clinician.models import SessionGuide


@admin.register(SessionGuide)
class SessionGuideAdmin(ScopedModelAdmin):
    """A service's own session guides; sessions without one use bcbt's defaults."""

    service_path = "service"

    list_display = ("service", "session_number", "title")
    list_filter = ("service",)
    ordering = ("service", "session_number")
