"""A course of treatment across apps: opening a service and opening an episode.

Opening an episode touches two apps (care books the appointments from the session plan, modules
assigns the service's programme), so it lives here, one level above both: care and modules never
import each other to do it. Every path that opens one calls these functions: Django admin, the
demo data, the test factories and any page.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest

from care.models import Episode, Service
from care.services import audit_event_record, episode_create, session_plan_default_create
from modules.services import assignments_create_for_episode

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def service_create(
    *,
    name: str,
    slug: str,
    time_zone: str = "Europe/London",
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Service:
    """Create a service with the default session plan, which its admin may then change. Its
    programme is made with its first episode (``episode_start``), from the modules loaded by
    then, unless the admin configures one first."""
    service = Service.objects.create(name=name, slug=slug, time_zone=time_zone)
    session_plan_default_create(service=service)
    if by is not None:
        audit_event_record(actor=by, action="service.create", target=service, request=request)
    return service


@transaction.atomic
def episode_start(
    *,
    patient: User,
    service: Service,
    pwp: User | None,
    started_on: datetime.date,
    first_session_time: datetime.time = datetime.time(10, 0),
    plan_from_start: bool = True,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Episode:
    """Open an episode: its appointments from the session plan, its programme as assignments,
    and one audit event. ``plan_from_start=False`` books session 1 on ``started_on`` at
    ``first_session_time`` (a first appointment given at registration) and lays the rest of
    the plan from it (see ``care.services.episode_create``)."""
    episode = episode_create(
        patient=patient,
        service=service,
        pwp=pwp,
        started_on=started_on,
        first_session_time=first_session_time,
        plan_from_start=plan_from_start,
        by=by,
        request=request,
    )
    assignments_create_for_episode(episode=episode)
    return episode
