"""What the navigator's support queue learns from the apps above accounts.

accounts owns the queue, but some of its facts belong to feature apps: "has rated mood once"
(moodlog), "has set notification preferences" and "messages to them keep failing"
(notifications). Each such app registers them in its own ``support_queue.py``, which
``AccountsConfig.ready`` imports with ``autodiscover_modules`` (as care does for activity and
notifications for reminders), so accounts never imports the apps above it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class GettingStartedStep:
    key: str
    # What the queue says is not done yet: "first mood rating".
    missing: str
    # Rows that show a patient has done it, filtered on ``OuterRef("pk")`` of the patient.
    done: Callable[[], QuerySet[Any]]
    # Steps are listed in this order after "first sign-in".
    order: int


@dataclass(frozen=True)
class FailureCount:
    failed: int
    # Given up on after every retry.
    dead: int
    last_failed: datetime.datetime


@dataclass(frozen=True)
class DeliveryFailures:
    # Patient id -> their failed messages since a moment, for many patients in one query.
    counts: Callable[[Collection[int], datetime.datetime], dict[int, FailureCount]]
    # One patient's failed messages since a moment, newest first: delivery facts only (kind,
    # channel, state, time, tries, error), never what the message said.
    recent: Callable[[User, datetime.datetime], list[Any]]


_steps: dict[str, GettingStartedStep] = {}
# Patient ids -> when each one's last phone stopped taking push notifications.
_push_lost: list[Callable[[Collection[int]], dict[int, datetime.datetime]]] = []
_failures: list[DeliveryFailures] = []
# Service id, since -> staff id -> their failed alerts (risk flags) by email or text.
_staff_alert_failures: list[Callable[[int, datetime.datetime], dict[int, FailureCount]]] = []


def getting_started_step_register(
    *, key: str, missing: str, done: Callable[[], QuerySet[Any]], order: int
) -> None:
    if key in _steps and _steps[key].done is not done:
        raise ImproperlyConfigured(f"A getting-started step {key!r} is already registered.")
    _steps[key] = GettingStartedStep(key=key, missing=missing, done=done, order=order)


def getting_started_steps() -> tuple[GettingStartedStep, ...]:
    return tuple(sorted(_steps.values(), key=lambda step: (step.order, step.key)))


def delivery_failures_register(*, counts: Any, recent: Any) -> None:
    """The one app that delivers messages says which failed. Registering again replaces it."""
    _failures[:] = [DeliveryFailures(counts=counts, recent=recent)]


def delivery_failure_counts(
    patient_ids: Collection[int], since: datetime.datetime
) -> dict[int, FailureCount]:
    return _failures[0].counts(patient_ids, since) if _failures else {}


def delivery_failures_recent(patient: User, since: datetime.datetime) -> list[Any]:
    return _failures[0].recent(patient, since) if _failures else []


def staff_alert_failures_register(
    *, counts: Callable[[int, datetime.datetime], dict[int, FailureCount]]
) -> None:
    """The one app that delivers alerts says whose failed. Registering again replaces it."""
    _staff_alert_failures[:] = [counts]


def staff_alert_failure_counts(
    service_id: int, since: datetime.datetime
) -> dict[int, FailureCount]:
    return _staff_alert_failures[0](service_id, since) if _staff_alert_failures else {}


def push_lost_register(*, since: Callable[[Collection[int]], dict[int, datetime.datetime]]) -> None:
    """The app that sends push says whose phones stopped taking it. Registering again replaces
    it."""
    _push_lost[:] = [since]


def push_lost_since(patient_ids: Collection[int]) -> dict[int, datetime.datetime]:
    """Patients "not receiving push" (the push service no longer knows any of their phones),
    with the moment it stopped: a technical fact, for the navigator's queue."""
    return _push_lost[0](patient_ids) if _push_lost else {}
