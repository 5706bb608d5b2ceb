"""Forms of the console's staff page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import Role, User

INVITE_ROLE_CHOICES = [
    ("", "Choose a role"),
    (Role.PWP.value, "PWP (psychological wellbeing practitioner)"),
    (Role.NAVIGATOR.value, "Digital navigator"),
    (Role.SERVICE_ADMIN.value, "Service admin"),
]


class StaffInviteForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter their first name."}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter their last name."}
    )
    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        help_text="The invitation goes here, and they sign in with it.",
        error_messages={
            "required": "Enter their work email address.",
            "invalid": "Enter an email address like name@nhs.net.",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=INVITE_ROLE_CHOICES,
        help_text="PWPs see their own caseload; digital navigators help with sign-in and never "
        "see clinical data; service admins run the service from this console.",
        error_messages={"required": "Choose their role."},
    )


class DutyQueueAddForm(forms.Form):
    staff = forms.ModelChoiceField(
        label="Add to the duty queue",
        queryset=User.objects.none(),
        empty_label="Choose a PWP or service admin",
        error_messages={
            "required": "Choose who to add to the duty queue.",
            "invalid_choice": "Choose an active PWP or service admin of this service.",
        },
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["staff"]
        field.queryset = candidates
        field.label_from_instance = lambda user: f"{user.display_name} ({user.get_role_display()})"
