"""Push subscription routes under /api/v1/push/."""

from __future__ import annotations

from django.urls import path

from notifications import api

app_name = "notifications-api"

urlpatterns = [
    path("push/subscriptions/", api.push_subscriptions, name="push-subscriptions"),
    path(
        "push/subscriptions/<int:subscription_id>/",
        api.push_subscription_detail,
        name="push-subscription",
    ),
]
