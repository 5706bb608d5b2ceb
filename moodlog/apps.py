from __future__ import annotations

from django.apps import AppConfig


class MoodlogConfig(AppConfig):
    name = "moodlog"
