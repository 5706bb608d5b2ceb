"""Celery's task-failure hook: every failed task is counted for /metrics and logged."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import task_failure
from django.db import DatabaseError

from operations.services import task_failure_record

logger = logging.getLogger(__name__)


def _on_task_failure(sender: Any = None, **kwargs: Any) -> None:
    name = str(getattr(sender, "name", None) or "unknown")
    try:
        task_failure_record(task_name=name)
    except DatabaseError:
        # The database being down is often why the task failed; the log line still says so.
        logger.warning("Could not count a failure of %s", name)
    # The exception's text is left out: it may quote a row's values.
    logger.error("Task %s failed", name, extra={"task": name})


def connect() -> None:
    task_failure.connect(_on_task_failure, weak=False, dispatch_uid="bcbt-task-failure-tally")
