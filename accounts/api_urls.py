"""Device sign-in routes under /api/v1/auth/."""

from __future__ import annotations

from django.urls import path

from accounts import api, code_api, drafts_api

app_name = "accounts-api"

urlpatterns = [
    path("auth/token/", api.token_obtain, name="token"),
    path("auth/logout/", api.token_logout, name="logout"),
    path("drafts/<str:key>/", drafts_api.draft_detail, name="draft"),
    path("auth/refresh/", api.token_refresh, name="refresh"),
    path("auth/code/", code_api.code_request, name="code"),
    path("auth/code/confirm/", code_api.code_confirm, name="code-confirm"),
]
