"""The patient's notification choices under /api/v1/."""

from __future__ import annotations

from django.urls import path

from notifications import api

app_name = "notifications-api"

urlpatterns = [
    path("notifications/settings/", api.notification_settings, name="settings"),
]
