from __future__ import annotations

from django import forms

from moodlog.models import MOOD_NOTE_MAX_LENGTH, MOOD_SCORE_MAX, MOOD_SCORE_MIN
from moodlog.services import NOTE_MESSAGE

CHOOSE_SCORE_MESSAGE = "Choose a number from 1 (very low) to 10 (very good)."


class MoodRatingForm(forms.Form):
    """The /mood/ page's form: one of ten buttons carries the score."""

    day = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
    score = forms.TypedChoiceField(
        choices=[(number, str(number)) for number in range(MOOD_SCORE_MIN, MOOD_SCORE_MAX + 1)],
        coerce=int,
        error_messages={"required": CHOOSE_SCORE_MESSAGE, "invalid_choice": CHOOSE_SCORE_MESSAGE},
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="Anything you want to remember about the day. Your therapist can read it.",
        max_length=MOOD_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": NOTE_MESSAGE},
    )


class MoodRatingDeleteForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])
