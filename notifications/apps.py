from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        # Each app registers its own reminder rule in its reminders.py (see registry.py).
        autodiscover_modules("reminders")
