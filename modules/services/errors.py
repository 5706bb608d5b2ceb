"""Errors the module services raise; their messages are shown to the person as they are."""

from __future__ import annotations


class ProgrammeRuleError(Exception):
    """A change the programme's rules do not allow. The message is written for the person who
    asked for it and is shown to them as it is."""


class ProgrammeCountChanged(ProgrammeRuleError):
    """The number of patients a programme change reaches is not the one the admin confirmed:
    someone started, finished or was tailored in between. Nothing was saved."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"Since you looked, the number of patients this changes has become {count}. "
            "Check the new number and confirm again."
        )
        self.count = count


class ExerciseAnswersInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Some answers need changing.")
        self.errors = errors
