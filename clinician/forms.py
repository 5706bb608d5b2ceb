from __future__ import annotations

from typing import Any

from django import forms

from care.models import AppointmentStatus


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write a message before sending it.",
            "max_length": "Messages can be up to 2000 characters long.",
        },
    )


class SessionRecordForm(forms.Form):
    attendance = forms.ChoiceField(
        label="Did the patient attend?",
        choices=[
            (AppointmentStatus.ATTENDED, "Attended"),
            (AppointmentStatus.DID_NOT_ATTEND, "Did not attend"),
            (AppointmentStatus.CANCELLED, "Cancelled"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the patient attended."},
    )
    agenda = forms.CharField(
        label="Agenda", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    notes = forms.CharField(
        label="Session notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )
    task = forms.CharField(
        label="Task agreed for the coming week",
        help_text="One task per line. Tasks chosen together below are added too.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    next_appointment_at = forms.DateTimeField(
        label="Next appointment (date and time)",
        help_text="For example 2026-12-03 10:00. Leave empty to keep the booked time.",
        required=False,
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": "Enter a date and time like 2026-12-03 10:00."},
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    choose = forms.MultipleChoiceField(required=False, choices=[])

    def __init__(self, *args: Any, module_choices: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose = self.fields["choose"]
        assert isinstance(choose, forms.MultipleChoiceField)
        choose.choices = [(slug, slug) for slug in module_choices or []]
        choose.error_messages["invalid_choice"] = "Choose modules from the list shown."
