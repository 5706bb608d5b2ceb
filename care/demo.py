"""The demo data's shared context: what every app's demo seeder gets.

``seed_demo`` (``treatment/demo.py``) opens the service, its staff and the patients' episodes
through the treatment services, then calls ``seed(context)`` in every installed app's ``demo``
module (moodlog.demo, modules.demo, ...) so each app adds its own data through its own services.
Then it opens the ended courses (``context.ended``), calls ``seed_ended(context)`` in each app that
has one, and ends them. Everything is drawn from seeded random generators, so the same seed gives
the same data.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from care.models import Episode, Service


@dataclass(frozen=True)
class EndedCourse:
    """A course of treatment in the demo's past: opened, worked through by each app's
    ``seed_ended``, then ended on ``ended_on`` for ``reason`` (an EndReason)."""

    episode: Episode
    ended_on: datetime.date
    reason: str
    # The demo's own generator for this course, so the courses never shift the main sequence.
    rng: random.Random


@dataclass
class DemoContext:
    """What every app's demo seeder gets."""

    rng: random.Random
    days: int
    now: datetime.datetime
    service: Service
    staff: dict[str, User]
    # The patient called ``patient`` first, then patient001, patient002, ...
    episodes: list[Episode] = field(default_factory=list)
    # Courses that ended in the two months before this one, for the reports.
    ended: list[EndedCourse] = field(default_factory=list)

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)
