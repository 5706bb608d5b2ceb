from __future__ import annotations

from typing import Any

from django import forms

from measures.definitions import Instrument


class QuestionnaireForm(forms.Form):
    """One radio question per item of an instrument; every question must be answered."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        choices = [(str(option.value), option.label) for option in instrument.options]
        for number, text in enumerate(instrument.items, start=1):
            self.fields[f"q{number}"] = forms.TypedChoiceField(
                label=text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose an answer for question {number}",
                    "invalid_choice": f"Choose one of the answers for question {number}",
                },
            )

    def answers(self) -> list[int]:
        return [
            int(self.cleaned_data[f"q{number}"])
            for number in range(1, len(self.instrument.items) + 1)
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
                            "id": f"{field.html_name}-{option.value}",
                            "value": str(option.value),
                            "label": option.label,
                            "checked": value == str(option.value),
                        }
                        for option in self.instrument.options
                    ],
                }
            )
        return rows
