"""What changed since the last session, in a few lines for the brief's first screen.

Each part is worked out from rows the brief has already read (scores, tasks) or from one
query (the programme's modules), so the brief keeps its fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from care.models import AgreedTask, Episode
from measures.alliance import AllianceAdministration
from measures.definitions import instrument_definition
from measures.models import QuestionnaireResponse
from modules.models import Assignment

# A module started but untouched for this long is "stalled".
STALLED_DAYS = 7


@dataclass(frozen=True)
class Changes:
    """The first screen's "since the last session" lines; empty lists when nothing changed."""

    scores: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    stalled: list[str] = field(default_factory=list)
    tasks_worked_on: list[str] = field(default_factory=list)
    tasks_not_touched: list[str] = field(default_factory=list)
    # Tasks with no module, which only the patient can say whether they did.
    tasks_to_ask: int = 0

    @property
    def homework(self) -> bool:
        return bool(self.tasks_worked_on or self.tasks_not_touched or self.tasks_to_ask)


def _crossing(
    *, code: str, previous: int | None, latest: int, first: int, earlier_change: int | None
) -> str:
    """Any caseness or reliable-change line the latest score crossed, in words."""
    instrument = instrument_definition(code)
    notes = []
    if previous is not None and instrument.caseness_at_least is not None:
        was, now = instrument.is_case(previous), instrument.is_case(latest)
        if was and not now:
            notes.append("now below caseness")
        elif now and not was:
            notes.append("now at caseness")
    reliable = instrument.reliable_change
    if reliable is not None and previous is not None:
        change = latest - first
        before = abs(earlier_change) >= reliable if earlier_change is not None else False
        if abs(change) >= reliable and not before:
            notes.append("reliable improvement" if change < 0 else "reliable deterioration")
    if not notes and instrument.is_case(latest):
        notes.append("a case")
    return ", ".join(notes)


def score_changes(responses: list[QuestionnaireResponse], since: datetime.datetime) -> list[str]:
    """One phrase per questionnaire answered since ``since``: "PHQ-9 9 (from 12), now below
    caseness". ``responses`` are the episode's scores, oldest first."""
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for response in responses:
        by_code.setdefault(response.instrument_code, []).append(response)
    phrases = []
    for code, answered in by_code.items():
        if answered[-1].submitted_at < since:
            continue
        latest = answered[-1].total
        previous = answered[-2].total if len(answered) > 1 else None
        earlier_change = answered[-2].total - answered[0].total if len(answered) > 2 else None
        note = _crossing(
            code=code,
            previous=previous,
            latest=latest,
            first=answered[0].total,
            earlier_change=earlier_change,
        )
        name = instrument_definition(code).short_name
        phrase = f"{name} {latest}" + (f" (from {previous})" if previous is not None else "")
        phrases.append(f"{phrase}, {note}" if note else phrase)
    return phrases


def changes_since(
    *,
    episode: Episode,
    since: datetime.datetime,
    now: datetime.datetime,
    responses: list[QuestionnaireResponse],
    tasks: list[AgreedTask],
) -> Changes:
    """Scores, modules finished or stalled, and the last session's tasks: one query."""
    finished: list[str] = []
    stalled: list[str] = []
    worked_on: dict[str, str] = {}
    untouched: dict[str, str] = {}
    stale_before = now - datetime.timedelta(days=STALLED_DAYS)
    task_slugs = {task.module_slug for task in tasks if task.module_slug}
    for slug, title, started_at, completed_at, last_activity_at in (
        Assignment.objects.filter(episode=episode, active=True, waived_at__isnull=True)
        .order_by("position", "pk")
        .values_list(
            "module__slug",
            "module__latest_version__title",
            "started_at",
            "completed_at",
            "last_activity_at",
        )
    ):
        title = title or slug
        if completed_at is not None and completed_at >= since:
            finished.append(title)
        elif (
            started_at is not None
            and completed_at is None
            and (last_activity_at or started_at) < stale_before
        ):
            stalled.append(title)
        if slug in task_slugs:
            if last_activity_at is not None and last_activity_at >= since:
                worked_on[slug] = title
            else:
                untouched[slug] = title
    return Changes(
        scores=score_changes(responses, since),
        finished=finished,
        stalled=stalled,
        tasks_worked_on=list(worked_on.values()),
        tasks_not_touched=list(untouched.values()),
        tasks_to_ask=sum(1 for task in tasks if not task.module_slug and task.done_at is None),
    )


def alliance_gap(alliance: list[AllianceAdministration]) -> str:
    """The latest alliance rating's gaps in words ("agreement on tasks (patient 2, you 4)")."""
    if not alliance:
        return ""
    latest = alliance[-1]
    parts = [
        f"{part.label.lower()} (patient {part.patient:g}, you {part.pwp:g})"
        for part in latest.subscales
        if part.gap_flagged and part.patient is not None and part.pwp is not None
    ]
    return "; ".join(parts)
