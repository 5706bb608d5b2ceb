from __future__ import annotations

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = "Safety: risk flags and the duty queue"
