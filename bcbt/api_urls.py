"""The REST API, version 1. Each app adds its own endpoints in its api_urls module."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("measures.api_urls")),
    path("", include("modules.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("moodlog.api_urls")),
    path("", include("patients.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("exports.api_urls")),
]
