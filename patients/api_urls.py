"""The patient's own API routes under /api/v1/."""

from __future__ import annotations

from django.urls import path

from patients import api, api_messages

app_name = "patients-api"

urlpatterns = [
    path("plan/", api.plan, name="plan"),
    path("messages/", api_messages.messages, name="messages"),
    path("messages/read/", api_messages.messages_read, name="messages-read"),
    path("next-session/", api.next_session_topics, name="next-session"),
]
