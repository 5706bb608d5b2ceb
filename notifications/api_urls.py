"""The patient's notification choices and push subscriptions under /api/v1/."""

from __future__ import annotations

from django.urls import path

from notifications import api, push_api

app_name = "notifications-api"

urlpatterns = [
    path("notifications/settings/", api.notification_settings, name="settings"),
    path("push/subscriptions/", push_api.push_subscriptions, name="push-subscriptions"),
    path(
        "push/subscriptions/<int:subscription_id>/",
        push_api.push_subscription_detail,
        name="push-subscription",
    ),
]
