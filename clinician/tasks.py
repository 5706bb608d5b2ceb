"""Celery tasks for the clinician pages: thin adapters that call one function each."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from clinician.service_view import service_orders_refresh


@shared_task(name="clinician.service_orders_refresh", max_retries=0)
def service_orders_refresh_task() -> int:
    """Rebuild the need order of every service whose whole-service view is being looked at."""
    return service_orders_refresh(now=timezone.now())
