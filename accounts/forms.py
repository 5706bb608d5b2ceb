from __future__ import annotations

from typing import Any

from allauth.account.forms import ConfirmLoginCodeForm as AllauthConfirmLoginCodeForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from django import forms

from accounts.models import SupportProblem


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
