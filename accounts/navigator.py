"""The digital navigator's pages: engagement and technical data only, never clinical content."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from accounts.selectors import patients_for_navigator


@role_required(Role.NAVIGATOR)
def queue(request: HttpRequest) -> HttpResponse:
    patients = patients_for_navigator(navigator=request.user)  # type: ignore[arg-type]
    never_signed_in = [patient for patient in patients if patient.last_login is None]
    return render(
        request,
        "accounts/navigator_queue.html",
        {"patients": patients, "never_signed_in": never_signed_in},
    )
