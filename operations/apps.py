from __future__ import annotations

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery's task-failure hook counts failures for /metrics. It is operations wiring, not
        # business logic, and a hook is the only way Celery reports a failure of any task.
        from operations import celery_hooks

        celery_hooks.connect()
