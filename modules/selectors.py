"""Reads of modules and programmes, each scoped by the caller (see the views for who may ask)."""

# Size: over 400 lines (programme, progress and exercise reads); next to be split by noun
# (tests/platform/test_code_shape.py).

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from care.models import Appointment, Episode, Service
from care.selectors import episode_active_for_patient
from modules.models import (
    Assignment,
    AssignmentChange,
    ChangeKind,
    ExerciseFeedback,
    ExerciseResponse,
    Module,
    ModuleVersion,
    ProgrammeSettings,
    UnlockRule,
)


class Status:
    """What a patient sees against each module (and the API's ``status``)."""

    LOCKED = "locked"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WAIVED = "waived"

    LABELS = {
        LOCKED: "Not open yet",
        NOT_STARTED: "Not started",
        IN_PROGRESS: "In progress",
        COMPLETED: "Completed",
        WAIVED: "Not needed",
    }


@dataclass
class ProgrammeItem:
    assignment: Assignment
    version: ModuleVersion
    status: str
    progress: int
    locked_reason: str = ""
    waiver_reason: str = ""
    aim_at: datetime.datetime | None = None

    @property
    def slug(self) -> str:
        return self.assignment.module.slug

    @property
    def title(self) -> str:
        return self.version.title

    @property
    def mandatory(self) -> bool:
        return self.assignment.mandatory

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status != Status.LOCKED

    @property
    def minutes_left(self) -> int:
        if self.status in (Status.COMPLETED, Status.WAIVED):
            return 0
        return max(1, round(self.version.estimated_minutes * (100 - self.progress) / 100))


@dataclass
class Programme:
    episode: Episode
    items: list[ProgrammeItem]
    changes: list[AssignmentChange] = field(default_factory=list)
    pwps_may_waive: bool = True

    @property
    def mandatory_items(self) -> list[ProgrammeItem]:
        return [item for item in self.items if item.mandatory]

    @property
    def optional_items(self) -> list[ProgrammeItem]:
        return [item for item in self.items if not item.mandatory]

    @property
    def next_item(self) -> ProgrammeItem | None:
        """What to do next: a module already under way, else the first open mandatory module,
        else the first open optional one."""
        for wanted in (
            lambda item: item.status == Status.IN_PROGRESS,
            lambda item: item.status == Status.NOT_STARTED and item.mandatory,
            lambda item: item.status == Status.NOT_STARTED,
        ):
            for item in self.items:
                if wanted(item):
                    return item
        return None

    @property
    def mandatory_done(self) -> int:
        return sum(1 for item in self.mandatory_items if item.status == Status.COMPLETED)

    @property
    def mandatory_to_do(self) -> int:
        return sum(1 for item in self.mandatory_items if item.status != Status.WAIVED)

    @property
    def minutes_left(self) -> int:
        return sum(item.minutes_left for item in self.mandatory_items)

    def item_for(self, slug: str) -> ProgrammeItem | None:
        return next((item for item in self.items if item.slug == slug), None)


def programme_settings_get(*, service: Service) -> ProgrammeSettings:
    """The service's programme settings, or the defaults when it has not saved any."""
    settings = ProgrammeSettings.objects.filter(service=service).first()
    return settings if settings is not None else ProgrammeSettings(service=service)


def _progress(assignment: Assignment) -> int:
    if assignment.completed_at is not None:
        return 100
    if assignment.version is None:
        return 0
    return min(99, round(100 * assignment.steps_done / assignment.version.step_count))


def programme_for_episode(*, episode: Episode, now: datetime.datetime | None = None) -> Programme:
    """An episode's programme with each module's status, in four queries whatever its size."""
    now = now or timezone.now()
    assignments = list(
        Assignment.objects.filter(episode=episode, active=True)
        .select_related("module", "module__latest_version", "version")
        .order_by("position", "pk")
    )
    appointments = {
        appointment.number: appointment
        for appointment in Appointment.objects.filter(episode=episode).only(
            "number", "scheduled_at", "status"
        )
    }
    changes = list(
        AssignmentChange.objects.filter(episode=episode)
        .select_related("by", "undone_by", "assignment__module__latest_version")
        .order_by("-created_at", "-pk")
    )
    waiver_reasons = {
        change.assignment_id: change.reason
        for change in reversed(changes)
        if change.kind == ChangeKind.WAIVED and change.undone_at is None
    }
    items: list[ProgrammeItem] = []
    previous: ProgrammeItem | None = None
    for assignment in assignments:
        version = assignment.version or assignment.module.latest_version
        if version is None:
            continue
        item = ProgrammeItem(
            assignment=assignment,
            version=version,
            status=Status.NOT_STARTED,
            progress=_progress(assignment),
            waiver_reason=waiver_reasons.get(assignment.pk, ""),
        )
        if assignment.aim_session is not None and assignment.aim_session in appointments:
            item.aim_at = appointments[assignment.aim_session].scheduled_at
        if assignment.completed_at is not None:
            item.status = Status.COMPLETED
        elif assignment.waived_at is not None:
            item.status = Status.WAIVED
        elif assignment.started_at is not None:
            # Once started, a module stays open even if the programme around it changes.
            item.status = Status.IN_PROGRESS
        else:
            item.locked_reason = _locked_reason(assignment, previous, appointments, now)
            if item.locked_reason:
                item.status = Status.LOCKED
        items.append(item)
        if item.status != Status.WAIVED:
            previous = item
    return Programme(
        episode=episode,
        items=items,
        changes=changes,
        pwps_may_waive=programme_settings_get(service=episode.service).pwps_may_waive,
    )


def _locked_reason(
    assignment: Assignment,
    previous: ProgrammeItem | None,
    appointments: dict[int, Appointment],
    now: datetime.datetime,
) -> str:
    """Why a module is not open yet, in words for the patient; "" when it is open."""
    if assignment.unlock_rule == UnlockRule.AFTER_PREVIOUS:
        if previous is not None and previous.status != Status.COMPLETED:
            return f"Opens when you finish “{previous.title}”."
    elif assignment.unlock_rule == UnlockRule.AFTER_SESSION:
        number = assignment.unlock_session or 0
        appointment = appointments.get(number)
        # A session that has been held, or whose time has passed, opens the module. A plan
        # without that session never keeps a module shut.
        if appointment is not None and appointment.scheduled_at > now:
            when = timezone.localtime(appointment.scheduled_at)
            return f"Opens after session {number} on {when:%A} {when.day} {when:%B}."
    return ""


def programme_for_patient(*, patient: User, include_ended: bool = False) -> Programme | None:
    """The patient's own programme, or None when they are not in treatment. With
    ``include_ended``, a patient whose treatment has ended gets the programme of their latest
    episode, to read their own work (the views refuse changes to it)."""
    episode = episode_active_for_patient(patient=patient)
    if episode is None and include_ended:
        episode = (
            Episode.objects.filter(patient=patient)
            .select_related("service", "pwp")
            .order_by("-started_on", "-pk")
            .first()
        )
    if episode is None:
        return None
    return programme_for_episode(episode=episode)


def programme_item_for_patient(
    *, patient: User, slug: str, include_ended: bool = False
) -> tuple[Programme, ProgrammeItem]:
    """One module in the patient's own programme; 404 when it is not in it."""
    programme = programme_for_patient(patient=patient, include_ended=include_ended)
    item = programme.item_for(slug) if programme is not None else None
    if programme is None or item is None:
        raise Http404("That module is not in your programme.")
    return programme, item


def exercise_response_for_patient(
    *, assignment: Assignment, exercise_key: str
) -> ExerciseResponse | None:
    return ExerciseResponse.objects.filter(assignment=assignment, exercise_key=exercise_key).first()


def exercise_responses_for_assignment(*, assignment: Assignment) -> dict[str, ExerciseResponse]:
    return {response.exercise_key: response for response in assignment.responses.all()}


@dataclass
class ModuleProgressSummary:
    """Module progress for one episode, for the caseload and the pre-session brief."""

    mandatory_total: int = 0
    mandatory_completed: int = 0
    completed: int = 0
    in_progress: int = 0
    waived: int = 0
    marked_for_discussion: int = 0
    last_activity_at: datetime.datetime | None = None


def module_progress_for_episodes(*, episode_ids: Iterable[int]) -> dict[int, ModuleProgressSummary]:
    """Progress for many episodes at once, in two queries whatever their number."""
    ids = list(episode_ids)
    summaries = {episode_id: ModuleProgressSummary() for episode_id in ids}
    not_waived = Q(waived_at__isnull=True)
    rows = (
        Assignment.objects.filter(episode_id__in=ids, active=True)
        .values("episode_id")
        .annotate(
            mandatory_total=Count("pk", filter=Q(mandatory=True) & not_waived),
            mandatory_completed=Count(
                "pk", filter=Q(mandatory=True, completed_at__isnull=False) & not_waived
            ),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            in_progress=Count(
                "pk", filter=Q(started_at__isnull=False, completed_at__isnull=True) & not_waived
            ),
            waived=Count("pk", filter=Q(waived_at__isnull=False)),
            last_activity_at=Max("last_activity_at"),
        )
        .order_by()
    )
    for row in rows:
        summary = summaries[row["episode_id"]]
        for name in (
            "mandatory_total",
            "mandatory_completed",
            "completed",
            "in_progress",
            "waived",
            "last_activity_at",
        ):
            setattr(summary, name, row[name])
    marked = (
        ExerciseResponse.objects.filter(
            assignment__episode_id__in=ids,
            assignment__active=True,
            discuss_requested_at__isnull=False,
        )
        .values("assignment__episode_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for marked_row in marked:
        summaries[marked_row["assignment__episode_id"]].marked_for_discussion = marked_row["count"]
    return summaries


@dataclass
class MarkedExercise:
    response: ExerciseResponse
    module_title: str
    exercise_title: str
    answers: list[tuple[str, str]]


def exercises_marked_for_discussion(*, episode: Episode) -> list[MarkedExercise]:
    """Finished exercises the patient would like to talk about, oldest request first."""
    responses = (
        ExerciseResponse.objects.filter(
            assignment__episode=episode,
            assignment__active=True,
            discuss_requested_at__isnull=False,
        )
        .select_related("assignment__version")
        .order_by("discuss_requested_at", "pk")
    )
    marked = []
    for response in responses:
        shown = exercise_answers_shown(response=response)
        if shown is None:
            continue
        exercise_title, answers = shown
        marked.append(
            MarkedExercise(
                response=response,
                module_title=response.assignment.version.title,  # type: ignore[union-attr]
                exercise_title=exercise_title,
                answers=answers,
            )
        )
    return marked


def exercise_answers_shown(
    *, response: ExerciseResponse
) -> tuple[str, list[tuple[str, str]]] | None:
    """An exercise's title and its answers as (question, answer) pairs in words, in the order
    of the exercise; None when the response's version or exercise is gone."""
    from modules.exercises import answer_display

    version = response.assignment.version
    if version is None:
        return None
    exercise = exercise_definition(version=version, key=response.exercise_key)
    if exercise is None:
        return None
    return exercise["title"], [
        (definition["label"], answer_display(definition, response.answers.get(name)))
        for definition in exercise["fields"]
        if (name := definition["name"]) in response.answers
    ]


def exercise_definition(*, version: ModuleVersion, key: str) -> dict[str, Any] | None:
    return next((item for item in version.exercises if item["key"] == key), None)


def modules_library() -> list[Module]:
    """Every module ready to use, pathway first, with its current version."""
    return list(
        Module.objects.filter(latest_version__isnull=False)
        .select_related("latest_version")
        .order_by("-kind", "position", "slug")
    )


def module_get_for_preview(*, slug: str) -> Module:
    module = (
        Module.objects.filter(slug=slug, latest_version__isnull=False)
        .select_related("latest_version")
        .first()
    )
    if module is None:
        raise Http404("No such module.")
    return module


def modules_addable(*, programme: Programme) -> list[Module]:
    """Modules a PWP can add: everything in the library not already in the programme."""
    assigned = {item.assignment.module_id for item in programme.items}
    return [module for module in modules_library() if module.pk not in assigned]


def assignment_get_for_episode(*, episode: Episode, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.filter(episode=episode, pk=assignment_id, active=True)
        .select_related("episode", "episode__patient", "episode__service", "module", "version")
        .first()
    )
    if assignment is None:
        raise Http404("No such module in this programme.")
    return assignment


def change_get_for_episode(*, episode: Episode, change_id: int) -> AssignmentChange:
    change = AssignmentChange.objects.filter(episode=episode, pk=change_id).first()
    if change is None:
        raise Http404("No such change.")
    return change


def exercise_feedback_for_patient(*, patient: User, limit: int = 5) -> list[ExerciseFeedback]:
    """The latest written feedback from the patient's PWP on their exercises, newest first."""
    return list(
        ExerciseFeedback.objects.filter(response__assignment__episode__patient=patient)
        .select_related("response__assignment__version", "author")
        .order_by("-created_at")[:limit]
    )


def episodes_with_modules_not_started(*, episode_days: Mapping[int, datetime.date]) -> set[int]:
    """Notification rule provider (registered in modules/reminders.py): the episodes with a module
    that is open to the patient but not started yet, in two queries for the whole batch."""
    ids = list(episode_days)
    if not ids:
        return set()
    now = timezone.now()
    session_times: dict[tuple[int, int], datetime.datetime] = {
        (episode_id, number): scheduled_at
        for episode_id, number, scheduled_at in Appointment.objects.filter(
            episode_id__in=ids
        ).values_list("episode_id", "number", "scheduled_at")
    }
    due: set[int] = set()
    previous_done: dict[int, bool] = {}
    for assignment in (
        Assignment.objects.filter(episode_id__in=ids, active=True)
        .only(
            "episode_id",
            "position",
            "unlock_rule",
            "unlock_session",
            "waived_at",
            "started_at",
            "completed_at",
        )
        .order_by("episode_id", "position", "pk")
    ):
        episode_id = assignment.episode_id
        done = assignment.completed_at is not None or assignment.waived_at is not None
        if assignment.unlock_rule == UnlockRule.AFTER_PREVIOUS:
            is_open = previous_done.get(episode_id, True)
        elif assignment.unlock_rule == UnlockRule.AFTER_SESSION:
            session_at = session_times.get((episode_id, assignment.unlock_session or 0))
            is_open = session_at is None or session_at <= now
        else:
            is_open = True
        if is_open and not done and assignment.started_at is None:
            due.add(episode_id)
        previous_done[episode_id] = done
    return due
