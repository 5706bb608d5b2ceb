"""Writes of the operations app: counting task failures."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from operations.models import TaskFailureTally


def task_failure_record(*, task_name: str) -> None:
    """Add one to the task's failure count (creating its row the first time)."""
    now = timezone.now()
    updated = TaskFailureTally.objects.filter(task_name=task_name).update(
        failures=F("failures") + 1, last_failed_at=now
    )
    if updated:
        return
    try:
        with transaction.atomic():
            TaskFailureTally.objects.create(task_name=task_name, failures=1, last_failed_at=now)
    except IntegrityError:
        # Another worker created the row in the meantime: count on it.
        TaskFailureTally.objects.filter(task_name=task_name).update(
            failures=F("failures") + 1, last_failed_at=now
        )
