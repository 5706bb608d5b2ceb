from __future__ import annotations

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery's task-failure hook counts failures for /metrics. It is operations wiring, not
        # business logic, and a hook is the only way Celery reports a failure of any task.
        from operations import celery_hooks, connection_check

        celery_hooks.connect()
        # Kept database connections are checked at the start of a request without a round
        # trip when nothing says they were closed (operations/connection_check.py).
        connection_check.connect()
