"""Forms of the console's patient pages. Each checks what it can show beside a field; the
services check again, so no other path can skip the rules."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import User
from accounts.registration import ContactDetails, contact_details_clean
from care.models import EndReason

TIME_ZONES = sorted(zoneinfo.available_timezones())


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class ContactFieldsMixin(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter an email address.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )
    phone_number = forms.CharField(
        label="Mobile phone number (optional)",
        required=False,
        max_length=30,
        help_text="For text message reminders, if the patient wants them. "
        "For example 07911 123456.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        required=False,
        max_length=14,
        help_text="10 digits, for example 943 476 5919.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    # The account whose details these are; None for a new one.
    contact_owner: User | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "email" not in cleaned:
            return cleaned
        try:
            contact = contact_details_clean(
                ContactDetails(
                    email=cleaned["email"],
                    phone_number=cleaned.get("phone_number", ""),
                    nhs_number=cleaned.get("nhs_number", ""),
                ),
                user=self.contact_owner,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
            return cleaned
        cleaned.update(
            email=contact.email, phone_number=contact.phone_number, nhs_number=contact.nhs_number
        )
        return cleaned

    def contact(self) -> ContactDetails:
        return ContactDetails(
            email=self.cleaned_data["email"],
            phone_number=self.cleaned_data["phone_number"],
            nhs_number=self.cleaned_data["nhs_number"],
        )


class PatientRegisterForm(ContactFieldsMixin):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages=_required("Enter their first name.")
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages=_required("Enter their last name.")
    )
    field_order = ["first_name", "last_name", "email", "phone_number", "nhs_number"]
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=[(zone, zone) for zone in TIME_ZONES],
        help_text="Reminders arrive by the patient's own clock.",
    )
    pwp = forms.ModelChoiceField(
        label="PWP",
        queryset=User.objects.none(),
        required=False,
        empty_label="No PWP yet (their alerts go to the duty queue)",
        error_messages={"invalid_choice": "Choose one of this service's PWPs, or no PWP yet."},
    )
    first_appointment_on = forms.DateField(
        label="Date of the first appointment",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the first appointment.",
            "invalid": "Enter a real date, for example 24/06/2026.",
        },
    )
    first_appointment_time = forms.TimeField(
        label="Time of the first appointment",
        help_text="The rest of the session plan is booked from this appointment.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time of the first appointment.",
            "invalid": "Enter a time like 10:00 or 14:30.",
        },
    )

    def __init__(self, *args: Any, pwps: QuerySet[User], time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pwp_field: Any = self.fields["pwp"]
        pwp_field.queryset = pwps
        pwp_field.label_from_instance = lambda user: user.display_name
        self.fields["time_zone"].initial = time_zone


class ContactForm(ContactFieldsMixin):
    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "email": owner.email,
                "phone_number": owner.phone_number,
                "nhs_number": owner.nhs_number,
            },
        )
        super().__init__(*args, **kwargs)
        self.contact_owner = owner


class ReassignForm(forms.Form):
    pwp = forms.ModelChoiceField(
        label="New PWP",
        queryset=User.objects.none(),
        required=False,
        empty_label="No PWP (their alerts go to the duty queue)",
        error_messages={"invalid_choice": "Choose one of this service's PWPs."},
    )

    def __init__(self, *args: Any, pwps: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pwp_field: Any = self.fields["pwp"]
        pwp_field.queryset = pwps
        pwp_field.label_from_instance = lambda user: user.display_name


class EpisodeEndForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why treatment ended",
        choices=[("", "Choose a reason"), *EndReason.choices],
        error_messages=_required("Choose why treatment ended."),
    )
    ended_on = forms.DateField(
        label="Date treatment ended",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date treatment ended.",
            "invalid": "Enter a real date, for example 17/06/2026.",
        },
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = today
