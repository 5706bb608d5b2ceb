"""Gives safety the service's review window for a risk flag (safety/review_window.py)."""

from __future__ import annotations

from care.models import Service
from measures.selectors import configuration_for_service
from safety.review_window import review_window_provider_register


def review_working_days(service: Service | None) -> int:
    return configuration_for_service(service=service).risk_review_working_days


def register() -> None:
    review_window_provider_register(review_working_days)
