"""Reads for the PWP's pages, each scoped to what the person asking may see."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import QuerySet

from care.models import (
    Episode,
    Service,
)
from clinician.models import Message, SessionGuide

GUIDES_FILE = Path(__file__).parent / "content" / "session_guides.yaml"


def messages_for_episode(*, episode: Episode) -> QuerySet[Message]:
    return Message.objects.filter(episode=episode).select_related("sender")


@cache
def _default_guides() -> dict[str, Any]:
    return yaml.safe_load(GUIDES_FILE.read_text())


def session_roles() -> dict[str, str]:
    """Who does what: the PWP, the navigator, and what nobody monitors."""
    return dict(_default_guides()["roles"])


def session_guide_for(*, service: Service, session_number: int) -> SessionGuide | None:
    """The service's own guide for a session, else bcbt's default, else None."""
    own = SessionGuide.objects.filter(service=service, session_number=session_number).first()
    if own is not None:
        return own
    default = _default_guides()["sessions"].get(session_number)
    if default is None:
        return None
    return SessionGuide(service=service, session_number=session_number, **default)


@dataclass(frozen=True)
class TaskCandidate:
    """A module the PWP and patient might choose together for the coming week."""

    slug: str
    title: str
    why: str
    total_minutes: int
    minutes_per_day: int
    in_programme: bool
    status: str
    past_answers: list[tuple[str, list[tuple[str, str]]]]


def minutes_per_day_for(total_minutes: int) -> int:
    """A manageable daily slice of a module: a third of it, between 5 and 15 minutes."""
    return min(15, max(5, total_minutes // 3))


def task_candidates(*, episode: Episode) -> list[TaskCandidate]:
    """Modules worth choosing this week: unfinished ones in the programme (open ones first),
    then modules that could be added. Each with its time, why it helps and any past answers."""
    from modules.models import ExerciseResponse
    from modules.selectors import (
        Status,
        exercise_answers_shown,
        modules_addable,
        programme_for_episode,
    )

    programme = programme_for_episode(episode=episode)
    answers: dict[int, list[tuple[str, list[tuple[str, str]]]]] = {}
    for response in ExerciseResponse.objects.filter(
        assignment__episode=episode, completed_at__isnull=False
    ).select_related("assignment__version"):
        shown = exercise_answers_shown(response=response)
        if shown is not None:
            answers.setdefault(response.assignment.module_id, []).append(shown)
    candidates = [
        TaskCandidate(
            slug=item.slug,
            title=item.title,
            why=item.version.summary,
            total_minutes=item.minutes_left,
            minutes_per_day=minutes_per_day_for(item.minutes_left),
            in_programme=True,
            status=item.status_label,
            past_answers=answers.get(item.assignment.module_id, []),
        )
        for item in sorted(programme.items, key=lambda item: item.status == Status.LOCKED)
        if item.status not in (Status.COMPLETED, Status.WAIVED)
    ]
    for module in modules_addable(programme=programme):
        version = module.latest_version
        if version is None:
            continue
        candidates.append(
            TaskCandidate(
                slug=module.slug,
                title=version.title,
                why=version.summary,
                total_minutes=version.estimated_minutes,
                minutes_per_day=minutes_per_day_for(version.estimated_minutes),
                in_programme=False,
                status="Not in the programme yet",
                past_answers=answers.get(module.pk, []),
            )
        )
    return candidates
