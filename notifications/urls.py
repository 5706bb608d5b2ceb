from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/push/<int:subscription_id>/stop/", views.push_stop, name="push-stop"),
]
