"""Scoring: pure functions from an instrument definition and a list of answers.

No database, no settings: the same function scores a web form, an API call and every one of
the 4^9 PHQ-9 answer vectors in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from measures.definitions import Instrument


class AnswerError(ValueError):
    """The answers cannot be scored: wrong length, not whole numbers, or out of range."""


@dataclass(frozen=True)
class Score:
    total: int
    # The band's label ("Moderate"), or None for instruments without bands (the alliance).
    severity: str | None
    # Subscale means (1 to 5 for the alliance), rounded to two places.
    subscales: dict[str, float]
    flags: tuple[str, ...]
    risk_flag_codes: tuple[str, ...]


# An answer of "not applicable" (WSAS work, for someone retired or not in work), where the
# instrument allows it: stored as null, left out of the total.
NOT_APPLICABLE = None


def answers_validate(instrument: Instrument, answers: object) -> list[int | None]:
    """Return the answers as a list of ints (None for "not applicable" where the instrument
    allows it), or raise AnswerError with a plain message."""
    if not isinstance(answers, list | tuple):
        raise AnswerError("Send the answers as a list of whole numbers.")
    if len(answers) != instrument.item_count:
        raise AnswerError(
            f"{instrument.short_name} has {instrument.item_count} questions; "
            f"{len(answers)} answers were sent."
        )
    allowed = instrument.option_values
    low, high = min(allowed), max(allowed)
    checked: list[int | None] = []
    for number, answer in enumerate(answers, start=1):
        if answer is NOT_APPLICABLE:
            if number not in instrument.not_applicable_items:
                raise AnswerError(f"Answer {number} is needed: it cannot be left out.")
            checked.append(None)
            continue
        # bool is a subclass of int in Python, but true/false is not an answer.
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise AnswerError(f"Answer {number} must be a whole number from {low} to {high}.")
        if answer not in allowed:
            raise AnswerError(f"Answer {number} must be from {low} to {high}.")
        checked.append(answer)
    return checked


def score(instrument: Instrument, answers: object) -> Score:
    """Score validated or unvalidated answers; raises AnswerError for anything unscorable."""
    checked = answers_validate(instrument, answers)
    # "Not applicable" counts as nothing: the total is the sum of the answered items.
    values = [answer or 0 for answer in checked]
    total = sum(values)
    band = instrument.band_for(total)
    subscales = {
        name: round(sum(values[number - 1] for number in numbers) / len(numbers), 2)
        for name, numbers in instrument.subscales.items()
    }
    raised = tuple(rule for rule in instrument.flags if values[rule.item - 1] > rule.above)
    return Score(
        total=total,
        severity=band.label if band is not None else None,
        subscales=subscales,
        flags=tuple(rule.code for rule in raised),
        risk_flag_codes=tuple(rule.code for rule in raised if rule.creates_risk_flag),
    )
