from __future__ import annotations

from django import forms


class TopicForm(forms.Form):
    text = forms.CharField(
        label="What would you like to talk about at your next session?",
        help_text="For example, something from a module, a hard day, or a question. You can change "
        "this until the session.",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Please keep this to 1000 characters or fewer."},
    )
