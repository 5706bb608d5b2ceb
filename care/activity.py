"""A patient's last activity: one definition for the caseload, the brief and the navigator.

Activity is something the patient did in treatment: each feature app that holds such a thing
(a mood rating, module work, a questionnaire, a message) registers a source in its own
``activity.py``, which ``CareConfig.ready`` imports with ``autodiscover_modules`` (as
notifications does for reminders), so care never names the apps above it. Signing in and
looking is not activity.

``last_activity_for_patients`` reads every source for any number of patients in one query (a
``UNION`` of one grouped query per source).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import CharField, QuerySet, Value

# Given patient ids, a query of ``(patient_id, at)`` rows: the latest moment per patient.
LatestQuery = Callable[[Collection[int]], QuerySet[Any]]


@dataclass(frozen=True)
class ActivitySource:
    kind: str
    # What the patient did, as the start of a sentence: "Rated mood".
    words: str
    latest: LatestQuery


@dataclass(frozen=True)
class LastActivity:
    kind: str
    words: str
    at: datetime.datetime

    def describe(self, *, now: datetime.datetime) -> str:
        """In words, for a person: "Rated mood, 2 days ago"."""
        days = (now - self.at).days
        if days <= 0:
            when = "today"
        elif days == 1:
            when = "1 day ago"
        else:
            when = f"{days} days ago"
        return f"{self.words}, {when}"


_sources: dict[str, ActivitySource] = {}


def activity_source_register(*, kind: str, words: str, latest: LatestQuery) -> None:
    """Register what counts as activity in one app. One source per kind."""
    if kind in _sources and _sources[kind].latest is not latest:
        raise ImproperlyConfigured(f"An activity source {kind!r} is already registered.")
    _sources[kind] = ActivitySource(kind=kind, words=words, latest=latest)


def activity_sources() -> tuple[ActivitySource, ...]:
    return tuple(_sources[kind] for kind in sorted(_sources))


def last_activity_for_patients(*, patient_ids: Collection[int]) -> dict[int, LastActivity]:
    """Each patient's latest activity of any kind, in one query; no entry for none at all.

    ``patient_ids`` may be a query of ids (``values_list("patient_id", flat=True)``): at a
    whole service's scale a subquery costs far less than ten thousand ids as parameters."""
    sources = activity_sources()
    ids: Collection[int] = patient_ids if isinstance(patient_ids, QuerySet) else list(patient_ids)
    if not sources or (isinstance(ids, list) and not ids):
        return {}
    parts = [
        source.latest(ids)
        .annotate(activity_kind=Value(source.kind, output_field=CharField()))
        .values_list("patient_id", "at", "activity_kind")
        .order_by()
        for source in sources
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    by_kind = {source.kind: source for source in sources}
    latest: dict[int, LastActivity] = {}
    for patient_id, at, kind in rows:
        if at is None:
            continue
        if patient_id not in latest or latest[patient_id].at < at:
            latest[patient_id] = LastActivity(kind=kind, words=by_kind[kind].words, at=at)
    return latest
