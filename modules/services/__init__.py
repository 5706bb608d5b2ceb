"""Writes for modules, split by noun: content and programmes (``content``), the patient's
progress (``progress``), the PWP's tailoring (``tailoring``) and exercise feedback
(``feedback``). Callers import from ``modules.services``; the names below are that interface."""

from __future__ import annotations

from modules.services.content import (
    DEFAULT_RULES,
    GENERAL_RULES,
    ModulesLoadResult,
    assignments_create_for_episode,
    modules_load,
    programme_default_create,
)
from modules.services.errors import (
    ExerciseAnswersInvalid,
    ProgrammeCountChanged,
    ProgrammeRuleError,
)
from modules.services.feedback import (
    FEEDBACK_MAX_LENGTH,
    exercise_feedback_amend,
    exercise_feedback_give,
    exercise_feedback_mark_read,
)
from modules.services.programme import (
    EntryRules,
    Inclusion,
    ProgrammeImpact,
    programme_change_apply,
    programme_change_preview,
    programme_entry_move,
    programme_settings_update,
)
from modules.services.progress import (
    assignment_start,
    assignment_step_complete,
    exercise_answers_save,
    exercise_discussion_set,
)
from modules.services.tailoring import (
    assignment_add,
    assignment_aim_set,
    assignment_change_undo,
    assignment_move,
    assignment_waive,
)

__all__ = [
    "DEFAULT_RULES",
    "FEEDBACK_MAX_LENGTH",
    "GENERAL_RULES",
    "EntryRules",
    "ExerciseAnswersInvalid",
    "Inclusion",
    "ModulesLoadResult",
    "ProgrammeCountChanged",
    "ProgrammeImpact",
    "ProgrammeRuleError",
    "assignment_add",
    "assignment_aim_set",
    "assignment_change_undo",
    "assignment_move",
    "assignment_start",
    "assignment_step_complete",
    "assignment_waive",
    "assignments_create_for_episode",
    "exercise_answers_save",
    "exercise_discussion_set",
    "exercise_feedback_amend",
    "exercise_feedback_give",
    "exercise_feedback_mark_read",
    "modules_load",
    "programme_change_apply",
    "programme_change_preview",
    "programme_default_create",
    "programme_entry_move",
    "programme_settings_update",
]
