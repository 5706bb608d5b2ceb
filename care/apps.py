from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "Care: services, episodes and appointments"

    def ready(self) -> None:
        # Each feature app says what counts as a patient's activity in its activity.py.
        autodiscover_modules("activity")
