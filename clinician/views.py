from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from clinician.selectors import caseload_for_staff


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def caseload(request: HttpRequest) -> HttpResponse:
    episodes = caseload_for_staff(staff=request.user)  # type: ignore[arg-type]
    return render(request, "clinician/caseload.html", {"episodes": episodes})
