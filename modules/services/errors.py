"""Errors the module services raise; their messages are shown to the person as they are."""

from __future__ import annotations


class ProgrammeRuleError(Exception):
    """A change the programme's rules do not allow. The message is written for the person who
    asked for it and is shown to them as it is."""


class ExerciseAnswersInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Some answers need changing.")
        self.errors = errors
