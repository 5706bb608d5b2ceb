from __future__ import annotations

from typing import Any

from django import forms

from measures.definitions import Instrument

# The value of the "not applicable" radio, for an item the instrument lets a patient skip.
NOT_APPLICABLE_VALUE = "not-applicable"
NOT_APPLICABLE_LABEL = "Not applicable: I am retired or not in work"


def _answer(value: str) -> int | None:
    return None if value == NOT_APPLICABLE_VALUE else int(value)


class QuestionnaireForm(forms.Form):
    """One radio question per item of an instrument; every question must be answered (with
    "not applicable" where the instrument allows it, as WSAS does for work)."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        choices = [(str(option.value), option.label) for option in instrument.options]
        for number, text in enumerate(instrument.items, start=1):
            extra = (
                [(NOT_APPLICABLE_VALUE, NOT_APPLICABLE_LABEL)]
                if number in instrument.not_applicable_items
                else []
            )
            self.fields[f"q{number}"] = forms.TypedChoiceField(
                label=text,
                choices=choices + extra,
                coerce=_answer,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose an answer for question {number}",
                    "invalid_choice": f"Choose one of the answers for question {number}",
                },
            )

    def answers(self) -> list[int | None]:
        return [
            self.cleaned_data[f"q{number}"] for number in range(1, len(self.instrument.items) + 1)
        ]

    def questions(self) -> list[dict[str, Any]]:
        """What the template needs to draw each question as an NHS.UK radios fieldset."""
        rows = []
        for number in range(1, len(self.instrument.items) + 1):
            field = self[f"q{number}"]
            value = str(field.value()) if field.value() not in (None, "") else ""
            rows.append(
                {
                    "number": number,
                    "name": field.html_name,
                    "text": field.label,
                    "errors": field.errors,
                    "first_id": f"{field.html_name}-{self.instrument.options[0].value}",
                    "options": [
                        {
                            "id": f"{field.html_name}-{option_value}",
                            "value": option_value,
                            "label": label,
                            "checked": value == option_value,
                        }
                        for option_value, label in self._choices(number)
                    ],
                }
            )
        return rows

    def _choices(self, number: int) -> list[tuple[str, str]]:
        choices = [(str(option.value), option.label) for option in self.instrument.options]
        if number in self.instrument.not_applicable_items:
            choices.append((NOT_APPLICABLE_VALUE, NOT_APPLICABLE_LABEL))
        return choices
