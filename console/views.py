"""The console's overview and, for superusers, the choice of service to work on."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from care.models import Service
from console.access import PICKED_SERVICE_KEY, service_admin_required, superuser_required
from console.selectors import service_overview, services_for_picker


@service_admin_required
def home(request: HttpRequest) -> HttpResponse:
    service: Service = request.console_service  # type: ignore[attr-defined]
    return render(
        request,
        "console/home.html",
        {"service": service, "overview": service_overview(service=service)},
    )


@require_http_methods(["GET", "POST"])
@superuser_required
def service_pick(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        service = get_object_or_404(Service, pk=request.POST.get("service", "0") or "0")
        request.session[PICKED_SERVICE_KEY] = service.pk
        return redirect("console:home")
    return render(
        request,
        "console/service_pick.html",
        {
            "services": services_for_picker(),
            "picked": request.session.get(PICKED_SERVICE_KEY),
        },
    )
