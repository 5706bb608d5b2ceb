"""Writes for modules: loading content, service programmes, assignments, progress, exercise
answers, and the PWP's tailoring changes (each recorded, undoable and audited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from care.models import Episode, Service
from care.services import audit_event_record
from modules.exercises import answers_clean
from modules.loader import CONTENT_DIR, content_parse_all
from modules.models import (
    Assignment,
    AssignmentChange,
    AssignmentSource,
    ChangeKind,
    ExerciseFeedback,
    ExerciseResponse,
    Module,
    ModuleKind,
    ModuleVersion,
    ProgrammeEntry,
    ProgrammeSettings,
    UnlockRule,
)
from modules.selectors import programme_settings_get

if TYPE_CHECKING:
    from accounts.models import User


class ProgrammeRuleError(Exception):
    """A change the programme's rules do not allow. The message is written for the person who
    asked for it and is shown to them as it is."""


class ExerciseAnswersInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Some answers need changing.")
        self.errors = errors


# --- Content -----------------------------------------------------------------------------


@dataclass
class ModulesLoadResult:
    created_modules: int = 0
    created_versions: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created_modules} new modules, {self.created_versions} new versions, "
            f"{self.unchanged} unchanged"
        )


def modules_load(
    *,
    root: Path = CONTENT_DIR,
    module_model: Any = Module,
    version_model: Any = ModuleVersion,
) -> ModulesLoadResult:
    """Load every module folder under ``root`` into versioned records.

    Unchanged content creates nothing; changed content creates a new version and makes it the
    one new starters get, while anyone part-way through keeps the version they began. The model
    arguments let the data migration pass its historical models.
    """
    contents = content_parse_all(root)
    result = ModulesLoadResult()
    with transaction.atomic():
        existing = {
            module.slug: module
            for module in module_model.objects.select_related("latest_version").filter(
                slug__in=[content.slug for content in contents]
            )
        }
        for content in contents:
            module = existing.get(content.slug)
            if module is None:
                module = module_model.objects.create(
                    slug=content.slug,
                    kind=content.kind,
                    tags=content.tags,
                    position=content.position,
                )
                result.created_modules += 1
            elif (module.kind, module.tags, module.position) != (
                content.kind,
                content.tags,
                content.position,
            ):
                module.kind, module.tags, module.position = (
                    content.kind,
                    content.tags,
                    content.position,
                )
                module.save(update_fields=["kind", "tags", "position"])
            latest = module.latest_version
            if latest is not None and latest.content_hash == content.content_hash:
                result.unchanged += 1
                continue
            highest = version_model.objects.filter(module=module).aggregate(highest=Max("number"))[
                "highest"
            ]
            version = version_model.objects.create(
                module=module,
                number=(highest or 0) + 1,
                content_hash=content.content_hash,
                title=content.title,
                summary=content.summary,
                estimated_minutes=content.estimated_minutes,
                pages=content.pages,
                exercises=content.exercises,
                pwp_guide=content.pwp_guide,
                step_count=content.step_count,
            )
            module.latest_version = version
            module.save(update_fields=["latest_version"])
            result.created_versions += 1
    return result


# --- Service programmes ------------------------------------------------------------------

# The default programme for a service that has not configured one: the depression pathway,
# mandatory and in order, then the add-ons as optional. Sleep help opens at once because poor
# sleep is common from the start; thoughts, problem solving and staying well open after the
# sessions where a PWP usually introduces them. A module not named here gets the general rule
# for its kind. The long-term condition add-on is offered for PWPs to add when it fits.
DEFAULT_RULES: dict[str, tuple[bool, bool, str, int | None]] = {
    # slug: (mandatory, in every programme, unlock rule, unlock session)
    "understanding-low-mood": (True, True, UnlockRule.FROM_START, None),
    "activity-diary": (True, True, UnlockRule.AFTER_PREVIOUS, None),
    "planning-valued-activities": (True, True, UnlockRule.AFTER_PREVIOUS, None),
    "unhelpful-thoughts": (True, True, UnlockRule.AFTER_SESSION, 3),
    "problem-solving": (True, True, UnlockRule.AFTER_SESSION, 5),
    "better-sleep": (True, True, UnlockRule.FROM_START, None),
    "staying-well": (True, True, UnlockRule.AFTER_SESSION, 9),
    "long-term-conditions": (False, False, UnlockRule.FROM_START, None),
}
GENERAL_RULES: dict[str, tuple[bool, bool, str, int | None]] = {
    ModuleKind.PATHWAY: (True, True, UnlockRule.AFTER_PREVIOUS, None),
    ModuleKind.ADD_ON: (False, True, UnlockRule.FROM_START, None),
}


@transaction.atomic
def programme_default_create(*, service: Service) -> list[ProgrammeEntry]:
    """Give a service with no programme the default one; a configured programme is left alone."""
    existing = list(service.programme_entries.order_by("position", "pk"))
    if existing:
        return existing
    modules = sorted(
        Module.objects.filter(latest_version__isnull=False),
        key=lambda module: (module.kind != ModuleKind.PATHWAY, module.position, module.slug),
    )
    entries = []
    for position, module in enumerate(modules, start=1):
        mandatory, everyone, rule, session = DEFAULT_RULES.get(
            module.slug, GENERAL_RULES[module.kind]
        )
        entries.append(
            ProgrammeEntry(
                service=service,
                module=module,
                mandatory=mandatory,
                in_every_programme=everyone,
                position=position,
                unlock_rule=rule,
                unlock_session=session,
            )
        )
    ProgrammeEntry.objects.bulk_create(entries)
    ProgrammeSettings.objects.get_or_create(service=service)
    return entries


@transaction.atomic
def assignments_create_for_episode(*, episode: Episode) -> list[Assignment]:
    """Give a new episode its service's programme as assignments (the default programme when
    the service has none). Safe to call again: modules already assigned are left alone."""
    entries = programme_default_create(service=episode.service)
    assigned = set(episode.module_assignments.values_list("module_id", flat=True))
    assignments = [
        Assignment(
            episode=episode,
            module_id=entry.module_id,
            mandatory=entry.mandatory,
            position=position,
            unlock_rule=entry.unlock_rule,
            unlock_session=entry.unlock_session,
            source=AssignmentSource.PROGRAMME,
        )
        for position, entry in enumerate(
            (entry for entry in entries if entry.in_every_programme), start=1
        )
        if entry.module_id not in assigned
    ]
    return Assignment.objects.bulk_create(assignments)


# --- The patient working through a module -------------------------------------------------


def _touch(assignment: Assignment, *fields: str) -> None:
    assignment.last_activity_at = timezone.now()
    assignment.save(update_fields=[*fields, "last_activity_at"])


@transaction.atomic
def assignment_start(*, assignment: Assignment) -> Assignment:
    """Start a module, pinning the version the patient will keep until they finish it."""
    if assignment.started_at is not None:
        return assignment
    version = assignment.module.latest_version
    if version is None:
        raise ProgrammeRuleError("This module is not ready yet. Please try again later.")
    assignment.version = version
    assignment.started_at = timezone.now()
    assignment.steps_done = 0
    assignment.last_step = 1
    _touch(assignment, "version", "started_at", "steps_done", "last_step")
    return assignment


def _completion_check(assignment: Assignment) -> None:
    """Mark the module finished once every step is passed and every exercise is complete."""
    version = assignment.version
    if version is None or assignment.completed_at is not None:
        return
    if assignment.steps_done < version.step_count:
        return
    keys = {exercise["key"] for exercise in version.exercises}
    done = set(
        assignment.responses.filter(completed_at__isnull=False).values_list(
            "exercise_key", flat=True
        )
    )
    if keys <= done:
        assignment.completed_at = timezone.now()


@transaction.atomic
def assignment_step_complete(*, assignment: Assignment, step: int) -> Assignment:
    """The patient has moved past ``step`` (1-based): remember it, so they can pick up here on
    any device."""
    version = assignment.version
    if version is None or not 1 <= step <= version.step_count:
        raise ProgrammeRuleError("That page is not part of this module.")
    assignment.steps_done = max(assignment.steps_done, step)
    assignment.last_step = min(step + 1, version.step_count)
    _completion_check(assignment)
    _touch(assignment, "steps_done", "last_step", "completed_at")
    return assignment


@transaction.atomic
def exercise_answers_save(
    *, assignment: Assignment, exercise_key: str, data: Mapping[str, Any], finishing: bool
) -> ExerciseResponse:
    """Save a patient's answers to one exercise as fields checked against its definition.

    With ``finishing`` every required field must be answered and the exercise is marked
    complete; without it, whatever is valid so far is kept so the patient can come back.
    Nothing is saved when an answer is invalid.
    """
    version = assignment.version
    if version is None:
        raise ProgrammeRuleError("Please start the module first.")
    exercise = next((item for item in version.exercises if item["key"] == exercise_key), None)
    if exercise is None:
        raise ProgrammeRuleError("That exercise is not part of this module.")
    response = (
        ExerciseResponse.objects.select_for_update()
        .filter(assignment=assignment, exercise_key=exercise_key)
        .first()
    )
    # A finished exercise stays finished: its form only offers "save changes".
    finishing = finishing or (response is not None and response.completed_at is not None)
    answers, errors = answers_clean(exercise, data, finishing=finishing)
    if errors:
        raise ExerciseAnswersInvalid(errors)
    now = timezone.now()
    if response is None:
        # Two devices saving the first answers at once: the unique constraint lets one create
        # the row and the other pick it up, so neither fails.
        response, _ = ExerciseResponse.objects.get_or_create(
            assignment=assignment, exercise_key=exercise_key
        )
    response.answers = answers
    response.updated_at = now
    if finishing and response.completed_at is None:
        response.completed_at = now
    response.save()
    if finishing:
        step = len(version.pages) + [item["key"] for item in version.exercises].index(exercise_key)
        assignment_step_complete(assignment=assignment, step=step + 1)
    else:
        _touch(assignment)
    return response


def exercise_discussion_set(*, response: ExerciseResponse, wanted: bool) -> ExerciseResponse:
    """Mark (or unmark) a finished exercise as one the patient would like to talk about."""
    if response.completed_at is None:
        raise ProgrammeRuleError("Please finish the exercise first.")
    response.discuss_requested_at = timezone.now() if wanted else None
    response.save(update_fields=["discuss_requested_at"])
    return response


# --- The PWP tailoring a programme ------------------------------------------------------


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ProgrammeRuleError("Please give a reason. The patient will see it.")
    return reason


def _active_in_order(episode: Episode) -> list[Assignment]:
    return list(
        Assignment.objects.select_for_update()
        .filter(episode=episode, active=True)
        .order_by("position", "pk")
    )


def _renumber(assignments: list[Assignment]) -> None:
    for position, assignment in enumerate(assignments, start=1):
        assignment.position = position
    Assignment.objects.bulk_update(assignments, ["position"])


def _record(
    *,
    by: User,
    assignment: Assignment,
    kind: str,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
    request: HttpRequest | None,
) -> AssignmentChange:
    change = AssignmentChange.objects.create(
        episode=assignment.episode,
        assignment=assignment,
        kind=kind,
        reason=reason,
        before=before,
        after=after,
        by=by,
    )
    audit_event_record(
        actor=by,
        action=f"modules.assignment.{kind}",
        patient=assignment.episode.patient,
        target=change,
        request=request,
        detail={"assignment_id": assignment.pk, "module_id": assignment.module_id},
    )
    return change


def _check_episode_open(episode: Episode) -> None:
    if not episode.is_active:
        raise ProgrammeRuleError("This treatment has ended, so its programme cannot change.")


@transaction.atomic
def assignment_add(
    *,
    by: User,
    episode: Episode,
    module: Module,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Add an optional or add-on module to a patient's programme, at the end."""
    _check_episode_open(episode)
    reason = _reason(reason)
    if module.latest_version_id is None:
        raise ProgrammeRuleError("That module is not ready to use yet.")
    active = _active_in_order(episode)
    if any(assignment.module_id == module.pk for assignment in active):
        raise ProgrammeRuleError("That module is already in this patient's programme.")
    entry = ProgrammeEntry.objects.filter(service=episode.service, module=module).first()
    rule = entry.unlock_rule if entry is not None else UnlockRule.FROM_START
    session = entry.unlock_session if entry is not None else None
    assignment = Assignment.objects.filter(episode=episode, module=module).first()
    if assignment is None:
        assignment = Assignment.objects.create(
            episode=episode,
            module=module,
            mandatory=False,
            position=len(active) + 1,
            unlock_rule=rule,
            unlock_session=session,
            source=AssignmentSource.PWP,
        )
    else:
        # Added, taken out, and added again: the same row, so earlier answers come back.
        assignment.active = True
        assignment.position = len(active) + 1
        assignment.save(update_fields=["active", "position"])
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.ADDED,
        reason=reason,
        before={"active": False},
        after={"active": True},
        request=request,
    )


@transaction.atomic
def assignment_move(
    *,
    by: User,
    assignment: Assignment,
    position: int,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Move a module to ``position`` (1 is first) in the patient's programme."""
    _check_episode_open(assignment.episode)
    reason = _reason(reason)
    active = _active_in_order(assignment.episode)
    if not any(item.pk == assignment.pk for item in active):
        raise ProgrammeRuleError("That module is not in this patient's programme.")
    if not 1 <= position <= len(active):
        raise ProgrammeRuleError(f"Choose a place from 1 to {len(active)}.")
    before = [item.pk for item in active]
    moving = next(item for item in active if item.pk == assignment.pk)
    if before.index(moving.pk) + 1 == position:
        raise ProgrammeRuleError("The module is already in that place.")
    active.remove(moving)
    active.insert(position - 1, moving)
    _renumber(active)
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.MOVED,
        reason=reason,
        before={"order": before},
        after={"order": [item.pk for item in active], "position": position},
        request=request,
    )


@transaction.atomic
def assignment_aim_set(
    *,
    by: User,
    assignment: Assignment,
    session: int | None,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Set (or clear, with ``None``) the session by which the patient aims to finish a module."""
    _check_episode_open(assignment.episode)
    reason = _reason(reason)
    if not assignment.active:
        raise ProgrammeRuleError("That module is not in this patient's programme.")
    sessions = assignment.episode.appointments.count()
    if session is not None and not 1 <= session <= max(sessions, 1):
        raise ProgrammeRuleError(f"Choose a session from 1 to {sessions}.")
    if session is not None:
        target = assignment.episode.appointments.filter(number=session).first()
        if target is not None and target.scheduled_at < timezone.now():
            raise ProgrammeRuleError(
                f"Session {session} has already happened. Choose a session still to come."
            )
    if assignment.aim_session == session:
        raise ProgrammeRuleError("That is already the aim for this module.")
    before = {"aim_session": assignment.aim_session}
    assignment.aim_session = session
    assignment.save(update_fields=["aim_session"])
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.AIM_SET,
        reason=reason,
        before=before,
        after={"aim_session": session},
        request=request,
    )


@transaction.atomic
def assignment_waive(
    *,
    by: User,
    assignment: Assignment,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Waive a mandatory module for this patient, where the service allows PWPs to."""
    episode = assignment.episode
    _check_episode_open(episode)
    if not programme_settings_get(service=episode.service).pwps_may_waive:
        raise ProgrammeRuleError(
            f"{episode.service.name} does not let PWPs waive mandatory modules. If this module "
            "does not fit, talk to your service admin or supervisor."
        )
    reason = _reason(reason)
    if not assignment.active or not assignment.mandatory:
        raise ProgrammeRuleError("Only a mandatory module in the programme can be waived.")
    if assignment.waived_at is not None:
        raise ProgrammeRuleError("That module is already waived.")
    if assignment.completed_at is not None:
        raise ProgrammeRuleError("The patient has already finished that module.")
    assignment.waived_at = timezone.now()
    assignment.save(update_fields=["waived_at"])
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.WAIVED,
        reason=reason,
        before={"waived": False},
        after={"waived": True},
        request=request,
    )


@transaction.atomic
def assignment_change_undo(
    *, by: User, change: AssignmentChange, request: HttpRequest | None = None
) -> AssignmentChange:
    """Put back what a tailoring change altered, and record who undid it and when."""
    change = AssignmentChange.objects.select_for_update().get(pk=change.pk)
    if change.undone_at is not None:
        raise ProgrammeRuleError("That change has already been undone.")
    assignment = Assignment.objects.select_related("episode").get(pk=change.assignment_id)
    _check_episode_open(assignment.episode)
    if change.kind == ChangeKind.ADDED:
        assignment.active = False
        assignment.save(update_fields=["active"])
        _renumber(_active_in_order(assignment.episode))
    elif change.kind == ChangeKind.MOVED:
        earlier = {pk: index for index, pk in enumerate(change.before.get("order", []))}
        active = _active_in_order(assignment.episode)
        # Modules added since go after the ones that were there before, in their current order.
        active.sort(key=lambda item: (earlier.get(item.pk, len(earlier)), item.position))
        _renumber(active)
    elif change.kind == ChangeKind.AIM_SET:
        assignment.aim_session = change.before.get("aim_session")
        assignment.save(update_fields=["aim_session"])
    elif change.kind == ChangeKind.WAIVED:
        assignment.waived_at = None
        assignment.save(update_fields=["waived_at"])
    change.undone_at = timezone.now()
    change.undone_by = by
    change.save(update_fields=["undone_at", "undone_by"])
    audit_event_record(
        actor=by,
        action="modules.change.undo",
        patient=assignment.episode.patient,
        target=change,
        request=request,
        detail={"assignment_id": assignment.pk, "kind": change.kind},
    )
    return change


FEEDBACK_MAX_LENGTH = 2000


@transaction.atomic
def exercise_feedback_give(
    *, by: User, response: ExerciseResponse, text: str, request: HttpRequest | None = None
) -> ExerciseFeedback:
    """Written feedback from the patient's PWP on one exercise; the patient is told it is there
    (the notification does not carry the feedback itself)."""
    from notifications.models import NotificationKind
    from notifications.services import notification_enqueue

    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write some feedback before saving it."})
    if len(text) > FEEDBACK_MAX_LENGTH:
        raise ValidationError({"text": f"Feedback can be up to {FEEDBACK_MAX_LENGTH} characters."})
    episode = response.assignment.episode
    if episode.pwp_id != by.pk:
        raise ValidationError("Only the patient's own PWP can give feedback on their exercises.")
    feedback = ExerciseFeedback(response=response, author=by, text=text)
    feedback._history_user = by  # type: ignore[attr-defined]
    feedback.save()
    notification_enqueue(
        key=f"exercise-feedback:{feedback.pk}",
        recipient=episode.patient,
        patient=episode.patient,
        kind=NotificationKind.MESSAGE_RECEIVED,
        subject="Your therapist left feedback on an exercise",
        body="Your therapist has read one of your exercises and left you some feedback. "
        "Sign in to bcbt to read it.",
        link=reverse("patients:home"),
    )
    audit_event_record(
        actor=by,
        action="exercise_feedback.give",
        patient=episode.patient,
        target=feedback,
        request=request,
    )
    return feedback


def exercise_feedback_mark_read(*, patient: User) -> int:
    return ExerciseFeedback.objects.filter(
        response__assignment__episode__patient=patient, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def exercise_feedback_amend(
    *, by: User, feedback: ExerciseFeedback, text: str, request: HttpRequest | None = None
) -> ExerciseFeedback:
    """Change the wording of feedback already given. The earlier wording stays in the
    feedback's history with who wrote it; the patient sees the new wording."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write some feedback before saving it."})
    if len(text) > FEEDBACK_MAX_LENGTH:
        raise ValidationError({"text": f"Feedback can be up to {FEEDBACK_MAX_LENGTH} characters."})
    locked = ExerciseFeedback.objects.select_for_update().get(pk=feedback.pk)
    if locked.response.assignment.episode.pwp_id != by.pk:
        raise ValidationError("Only the patient's own PWP can change feedback on their exercises.")
    if locked.text == text:
        return locked
    locked.text = text
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=["text"])
    audit_event_record(
        actor=by,
        action="exercise_feedback.amend",
        patient=locked.response.assignment.episode.patient,
        target=locked,
        request=request,
    )
    return locked
