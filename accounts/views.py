from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role

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


def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_not_required
def help_page(request: HttpRequest) -> HttpResponse:
    """Urgent help and sign-in help, open to everyone: a person who cannot sign in needs it most."""
    return render(
        request, "accounts/help.html", {"support_form_url": reverse("accounts:support-request")}
    )
