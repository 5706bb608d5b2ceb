"""Check a patient's exercise answers against the exercise's definition, field by field.

Answers are stored as a JSON object keyed by field name, with a value of the field's type:
text and textarea as strings, number and scale as integers, choice as the option's value,
multichoice as a list of option values, time as "HH:MM". Unanswered fields are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TEXT_LIMITS = {"text": 300, "textarea": 3000}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


@dataclass
class FieldView:
    """What a template needs to draw one field: definition, current value and any error."""

    name: str
    type: str
    label: str
    hint: str
    required: bool
    value: str
    values: list[str]
    error: str
    options: list[dict[str, str]] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    min_label: str = ""
    max_label: str = ""

    @property
    def html_id(self) -> str:
        return f"field-{self.name}"


def _raw(data: Mapping[str, Any], name: str, many: bool) -> Any:
    if many:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return [str(value) for value in getlist(name)]
        value = data.get(name, [])
        return [str(item) for item in value] if isinstance(value, list) else [str(value)]
    value = data.get(name, "")
    return "" if value is None else str(value).strip()


def _scale_values(definition: dict[str, Any]) -> list[int]:
    return list(range(definition["min"], definition["max"] + 1, definition.get("step", 1)))


# Complexity: One branch per kind of exercise field; a table of cleaners would hide the messages a
# patient sees.
def _clean_one(definition: dict[str, Any], raw: Any) -> tuple[Any, str]:  # noqa: C901
    """The cleaned value and an error message ("" when the value is fine)."""
    kind = definition["type"]
    if kind in TEXT_LIMITS:
        limit = TEXT_LIMITS[kind]
        if len(raw) > limit:
            return None, f"Please keep this to {limit} characters or fewer."
        return raw, ""
    if kind in ("number", "scale"):
        try:
            number = int(raw)
        except ValueError:
            return None, "Enter a whole number, like 5."
        low, high = definition.get("min"), definition.get("max")
        if kind == "scale" and number not in _scale_values(definition):
            return None, f"Choose a number from {low} to {high}."
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                return None, f"Enter a number from {low} to {high}."
            if low is not None:
                return None, f"Enter a number of {low} or more."
            return None, f"Enter a number of {high} or less."
        return number, ""
    if kind == "choice":
        values = [option["value"] for option in definition["options"]]
        if raw not in values:
            return None, "Choose one of the options."
        return raw, ""
    if kind == "multichoice":
        values = [option["value"] for option in definition["options"]]
        chosen = list(dict.fromkeys(raw))
        if any(value not in values for value in chosen):
            return None, "Choose from the options shown."
        return chosen, ""
    if kind == "time":
        match = _TIME.match(raw)
        if match is None:
            return None, "Enter a time like 07:30 or 21:15."
        return f"{int(match.group(1)):02d}:{match.group(2)}", ""
    raise ValueError(f"Unknown field type {kind!r}")


def answers_clean(
    exercise: dict[str, Any], data: Mapping[str, Any], *, finishing: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check posted answers against the exercise. Returns (answers, errors by field name).

    Required fields are only required when the patient is finishing the exercise: saving to
    come back later keeps whatever they have written so far.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for definition in exercise["fields"]:
        name = definition["name"]
        raw = _raw(data, name, many=definition["type"] == "multichoice")
        if raw in ("", []):
            if finishing and definition["required"]:
                errors[name] = "Please answer this, or choose 'Save and come back later'."
            continue
        value, error = _clean_one(definition, raw)
        if error:
            errors[name] = error
        else:
            answers[name] = value
    return answers, errors


def field_views(
    exercise: dict[str, Any],
    *,
    answers: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
    posted: Mapping[str, Any] | None = None,
) -> list[FieldView]:
    """Fields ready to draw, showing what was posted (after an error) or what was saved."""
    views = []
    for definition in exercise["fields"]:
        name = definition["name"]
        many = definition["type"] == "multichoice"
        if posted is not None:
            current = _raw(posted, name, many)
        else:
            stored = answers.get(name, [] if many else "")
            current = [str(item) for item in stored] if many else str(stored)
        options = list(definition.get("options", []))
        if definition["type"] == "scale":
            options = [
                {"value": str(number), "label": str(number)} for number in _scale_values(definition)
            ]
        views.append(
            FieldView(
                name=name,
                type=definition["type"],
                label=definition["label"],
                hint=definition.get("hint", ""),
                required=definition["required"],
                value="" if many else current,
                values=current if many else [],
                error=(errors or {}).get(name, ""),
                options=options,
                minimum=definition.get("min"),
                maximum=definition.get("max"),
                min_label=definition.get("min_label", ""),
                max_label=definition.get("max_label", ""),
            )
        )
    return views


def answer_display(definition: dict[str, Any], value: Any) -> str:
    """An answer as words, for the summary page and the PWP's view."""
    if value in (None, "", []):
        return ""
    labels = {option["value"]: option["label"] for option in definition.get("options", [])}
    if definition["type"] == "multichoice":
        return ", ".join(labels.get(item, item) for item in value)
    if definition["type"] == "choice":
        return labels.get(value, value)
    if definition["type"] == "scale":
        return f"{value} out of {definition['max']}"
    return str(value)
