"""The PWP's tailoring forms. Choices come from the patient's own programme, so a form can
only name modules that are (or may be put) in it."""

from __future__ import annotations

from typing import Any

from django import forms

from modules.models import Module
from modules.selectors import Programme, Status

REASON_HINT = "The patient will see this reason on their programme page. Write it to them."


def _reason_field(label: str = "Why?") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=REASON_HINT,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Please give a reason. The patient will see it."},
    )


class AddModuleForm(forms.Form):
    prefix = "add"
    module = forms.TypedChoiceField(label="Module to add", coerce=int)
    reason = _reason_field()

    def __init__(self, *args: Any, modules: list[Module], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", "Choose a module")] + [  # type: ignore[attr-defined]
            (
                module.pk,
                f"{module.latest_version.title} ({module.get_kind_display().lower()})"
                if module.latest_version
                else module.slug,
            )
            for module in modules
        ]
        self.fields["module"].error_messages["required"] = "Choose a module to add."


def _item_choices(programme: Programme, *, include: Any = None) -> list[tuple[Any, str]]:
    return [("", "Choose a module")] + [
        (item.assignment.pk, f"{position}. {item.title}")
        for position, item in enumerate(programme.items, start=1)
        if include is None or include(item)
    ]


class MoveForm(forms.Form):
    prefix = "move"
    assignment = forms.TypedChoiceField(label="Module to move", coerce=int)
    position = forms.TypedChoiceField(label="Move it to place", coerce=int)
    reason = _reason_field()

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = _item_choices(programme)  # type: ignore[attr-defined]
        self.fields["assignment"].error_messages["required"] = "Choose a module to move."
        self.fields["position"].choices = [  # type: ignore[attr-defined]
            (number, str(number)) for number in range(1, len(programme.items) + 1)
        ]


class AimForm(forms.Form):
    prefix = "aim"
    assignment = forms.TypedChoiceField(label="Module", coerce=int)
    session = forms.TypedChoiceField(
        label="Aim to finish it by session",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Choose 'No set session' to take an aim away.",
    )
    reason = _reason_field()

    def __init__(self, *args: Any, programme: Programme, sessions: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = _item_choices(  # type: ignore[attr-defined]
            programme,
            include=lambda item: item.status not in (Status.COMPLETED, Status.WAIVED),
        )
        self.fields["assignment"].error_messages["required"] = "Choose a module."
        self.fields["session"].choices = [("", "No set session")] + [  # type: ignore[attr-defined]
            (number, f"Session {number}") for number in range(1, sessions + 1)
        ]


class WaiveForm(forms.Form):
    prefix = "waive"
    assignment = forms.TypedChoiceField(label="Mandatory module to waive", coerce=int)
    reason = _reason_field("Why does this module not fit this patient?")

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = _item_choices(  # type: ignore[attr-defined]
            programme,
            include=lambda item: (
                item.mandatory and item.status not in (Status.COMPLETED, Status.WAIVED)
            ),
        )
        self.fields["assignment"].error_messages["required"] = "Choose a module to waive."
