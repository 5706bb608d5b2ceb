from __future__ import annotations

from django import forms


class FlagCloseForm(forms.Form):
    note = forms.CharField(
        label="What did you do?",
        help_text="For example: phoned the patient, agreed a safety plan, referred to the crisis "
        "team. You cannot close the flag without a note.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Write what you did about this flag before closing it"},
    )

    def clean_note(self) -> str:
        note = str(self.cleaned_data["note"]).strip()
        if not note:
            raise forms.ValidationError("Write what you did about this flag before closing it")
        return note
