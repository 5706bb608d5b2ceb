from __future__ import annotations

from django.contrib import admin

from clinician.models import SessionGuide


@admin.register(SessionGuide)
class SessionGuideAdmin(admin.ModelAdmin):
    """A service's own session guides; sessions without one use bcbt's defaults."""

    list_display = ("service", "session_number", "title")
    list_filter = ("service",)
    ordering = ("service", "session_number")
