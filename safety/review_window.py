"""When a new risk flag is due for review: one rule for every source of flags.

A PHQ-9 answer and a patient's own words get the same review window: the service's number of
working days, counted in the service's working hours (``safety/working_days.py``). The number
is a questionnaire setting (``measures.MeasuresConfiguration.risk_review_working_days``), and
measures sits above safety: it registers a provider here from ``MeasuresConfig.ready``, as it
registers the describer of ``safety/sources.py``. With none registered, one working day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from accounts.models import User
from care.models import Service
from safety.working_days import WorkingCalendar, working_time_after

DEFAULT_REVIEW_WORKING_DAYS = 1

ReviewWindowProvider = Callable[[Service | None], int]
_providers: list[ReviewWindowProvider] = []


def review_window_provider_register(provider: ReviewWindowProvider) -> None:
    """One provider; registering again replaces it (a reload in development)."""
    _providers[:] = [provider]


def review_working_days(*, service: Service | None) -> int:
    return _providers[0](service) if _providers else DEFAULT_REVIEW_WORKING_DAYS


def review_due_at(
    *, service: Service | None, patient: User, now: datetime.datetime
) -> datetime.datetime:
    """The moment a flag raised ``now`` escalates if nobody has acknowledged or closed it.

    A patient with no service (not yet placed) keeps the default calendar in their own zone.
    """
    calendar = (
        WorkingCalendar(zone=patient.zone)
        if service is None
        else WorkingCalendar.for_service(service)
    )
    return working_time_after(
        start=now, working_days=review_working_days(service=service), calendar=calendar
    )
