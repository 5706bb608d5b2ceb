from __future__ import annotations

from typing import Any

from allauth.account.forms import ConfirmLoginCodeForm as AllauthConfirmLoginCodeForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from django import forms
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError

from accounts.models import SupportProblem
from accounts.second_factor import second_factor_failure_record, second_factor_paused

SECOND_FACTOR_PAUSED_MESSAGE = (
    "Too many wrong codes. For your safety, codes are paused for 15 minutes. Then try again "
    "with the code your authenticator app shows now, or use one of your recovery codes."
)


class _SecondFactorCodeCapped:
    """allauth's code forms, with a cap on wrong codes per account shared with the API
    (allauth's own cap is switched off with ``ACCOUNT_RATE_LIMITS["login_failed"]``, because
    django-axes handles password lockout). Each wrong code also counts as a failed sign-in."""

    user: Any
    cleaned_data: dict[str, Any]

    def clean_code(self) -> str:
        if second_factor_paused(self.user):
            raise ValidationError(SECOND_FACTOR_PAUSED_MESSAGE, code="paused")
        try:
            return super().clean_code()  # type: ignore[misc]
        except ValidationError:
            second_factor_failure_record(self.user)
            user_login_failed.send(
                sender=__name__, credentials={"username": self.user.get_username()}, request=None
            )
            raise


class SecondFactorAuthenticateForm(_SecondFactorCodeCapped, AllauthAuthenticateForm):
    pass


class SecondFactorReauthenticateForm(_SecondFactorCodeCapped, AllauthReauthenticateForm):
    pass


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with plain labels and no placeholder text, which disappears as
    soon as someone types and is hard to read for people with low vision."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        self.fields["login"].widget.attrs["autocapitalize"] = "none"
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The email address your service has for you."
        email.widget.attrs.pop("placeholder", None)
        email.widget.attrs["autocomplete"] = "email"
        email.widget.attrs["spellcheck"] = "false"


class ConfirmLoginCodeForm(AllauthConfirmLoginCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = "Sign-in code"
        code.help_text = "The code in the email we just sent you."
        code.widget.attrs.pop("placeholder", None)
        code.widget.attrs["autocapitalize"] = "characters"
        code.widget.attrs["spellcheck"] = "false"


class SupportRequestForm(forms.Form):
    """'Having trouble signing in?': what the navigator needs to get back in touch."""

    contact_name = forms.CharField(label="Your name", max_length=100)
    contact = forms.CharField(
        label="Your email address or username",
        help_text="The one you use to sign in, if you know it.",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone_number = forms.CharField(
        label="A phone number we can call you on (optional)",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    problem = forms.ChoiceField(
        label="What is the problem?",
        choices=SupportProblem.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the problem that fits best."},
    )
    message = forms.CharField(
        label="Anything else we should know? (optional)",
        help_text=(
            "Our support team helps with signing in and technical problems. Please do not "
            "write about your health here."
        ),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].error_messages["required"] = "Enter your name."
        self.fields["contact"].error_messages["required"] = (
            "Enter the email address or username you use to sign in."
        )
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note before saving it."},
    )


class PhoneNumberForm(forms.Form):
    phone_number = forms.CharField(
        label="Mobile phone number",
        help_text=(
            "For text message reminders, if you choose them in your notification settings. "
            "For example, 07700 900123. Leave it empty to remove your number."
        ),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": "That is too long for a phone number."},
    )
