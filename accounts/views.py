from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.forms import PhoneNumberForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.phone import phone_number_display, user_phone_number_set

# Where each role lands after signing in.
ROLE_HOMES: dict[str, str] = {
    Role.PATIENT: "patients:home",
    Role.PWP: "clinician:caseload",
    Role.NAVIGATOR: "accounts:navigator-queue",
    Role.SERVICE_ADMIN: "console:home",
}


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each role to its own home page."""
    return redirect(ROLE_HOMES[request.user.role])


def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's account; a patient adds, changes or removes their mobile number here."""
    user = request.user
    form = None
    if user.is_patient:
        form = PhoneNumberForm(
            request.POST or None,
            initial={"phone_number": phone_number_display(user.phone_number)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                user_phone_number_set(
                    user=user, phone_number=form.cleaned_data["phone_number"], request=request
                )
            except ValidationError as error:
                form.add_error("phone_number", error)
            else:
                messages.success(
                    request,
                    "Your mobile number is saved."
                    if user.phone_number
                    else "Your mobile number is removed.",
                )
                return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {"phone_form": form, "phone_number": phone_number_display(user.phone_number)},
        status=400 if form is not None and form.errors else 200,
    )


@login_not_required
def help_page(request: HttpRequest) -> HttpResponse:
    """Urgent help and sign-in help, open to everyone: a person who cannot sign in needs it most."""
    return render(
        request, "accounts/help.html", {"support_form_url": reverse("accounts:support-request")}
    )
