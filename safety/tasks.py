"""Celery tasks for safety: thin adapters that call one service each."""

from __future__ import annotations

from celery import shared_task

from safety.services import risk_flags_escalate_overdue


@shared_task(
    name="safety.tasks.risk_flags_escalate",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def risk_flags_escalate() -> int:
    """Escalate risk flags not reviewed in time to the duty queue; returns how many."""
    return risk_flags_escalate_overdue()
