from __future__ import annotations

from django.db import models
from django.utils import timezone


class TaskFailureTally(models.Model):
    """How many times each Celery task has failed, for the ``bcbt_celery_task_failures_total``
    metric. Kept in the database so that the count survives a Redis restart and the web process
    can read what the worker wrote."""

    task_name = models.CharField(max_length=200, unique=True)
    failures = models.PositiveBigIntegerField(default=0)
    last_failed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.task_name}: {self.failures} failures"
