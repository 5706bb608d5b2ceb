"""Writes for the patient working through a module: starting, completing steps, saving
exercise answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from accounts.drafts import draft_delete
from modules.drafts import exercise_draft_key
from modules.exercises import answers_clean
from modules.models import (
    Assignment,
    ExerciseResponse,
)

if TYPE_CHECKING:
    pass

from modules.services.errors import ExerciseAnswersInvalid, ProgrammeRuleError
from safety.free_text import risk_flag_raise_for_text
from safety.models import RiskFlagSourceKind

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


def _answer_texts(answers: Mapping[str, Any]) -> list[str]:
    texts: list[str] = []
    for value in answers.values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts.extend(item for item in value if isinstance(item, str))
    return texts


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
    # Every text answer is read for safety phrases, in this transaction.
    risk_flag_raise_for_text(
        patient=assignment.episode.patient,
        text="\n".join(_answer_texts(answers)),
        source_kind=RiskFlagSourceKind.EXERCISE_ANSWER,
    )
    # The answers are saved, so what was typed on the way here is no longer needed.
    draft_delete(
        user=assignment.episode.patient,
        key=exercise_draft_key(slug=assignment.module.slug, exercise_key=exercise_key),
    )
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
