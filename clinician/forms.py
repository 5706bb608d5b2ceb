from __future__ import annotations

from typing import Any

from django import forms

from care.models import AppointmentStatus, EndReason


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
        label="Agenda",
        help_text="What you agreed to cover. The patient's own topics are in the brief, on its "
        "first screen.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    notes = forms.CharField(
        label="Session notes",
        help_text="Only staff see these. They appear in the next brief, under "
        "\u201cLast session: notes and tasks\u201d.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )
    task = forms.CharField(
        label="Task agreed for the coming week",
        help_text="One task per line. Modules chosen together above are added too. The patient "
        "sees every task on their home page, under \u201cYour plan for this week\u201d.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    next_appointment_at = forms.DateTimeField(
        label="Next appointment (date and time)",
        help_text="For example 2026-12-03 10:00. Leave empty to keep the booked time. The "
        "patient sees it on their home page and gets the usual reminder the day before.",
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


class EpisodeEndForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is treatment ending?",
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why treatment is ending."},
    )
    ended_on = forms.DateField(
        label="Date treatment ended",
        help_text="For example 2026-06-17. Today, or an earlier day since treatment started.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the date treatment ended.",
            "invalid": "Enter a date like 2026-06-17.",
        },
        # A date input takes and shows ISO dates, whatever the locale.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
