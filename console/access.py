"""Who may use the service console, and which service they are working on.

/service/ is the service admin's area (PRODUCT.md, web paths): PWPs, navigators and patients get
403. A superuser may work on any service and picks one; a service admin works on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from accounts.models import Role
from care.models import Service

# The session key that holds the service a superuser picked.
PICKED_SERVICE_KEY = "console_service_id"


def console_service(request: HttpRequest) -> Service | None:
    """The service this request works on: the admin's own, or the one a superuser picked."""
    user: Any = request.user
    if user.is_superuser:
        picked = request.session.get(PICKED_SERVICE_KEY)
        if picked is not None:
            service = Service.objects.filter(pk=picked).first()
            if service is not None:
                return service
    if user.service_id is not None:
        return Service.objects.get(pk=user.service_id)
    return None


def service_admin_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Allow service admins and superusers; everyone else gets 403.

    The view receives the service as ``request.console_service``. A superuser with no service of
    their own who has not picked one is sent to the picker first.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: Any = request.user
        if not (user.is_superuser or getattr(user, "role", None) == Role.SERVICE_ADMIN):
            raise PermissionDenied("The service console is for service admins.")
        service = console_service(request)
        if service is None:
            if user.is_superuser:
                return redirect("console:service-pick")
            raise PermissionDenied("Your account belongs to no service: ask support to add it.")
        request.console_service = service  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def superuser_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_superuser", False):
            raise PermissionDenied("Only support staff can switch between services.")
        return view(request, *args, **kwargs)

    return wrapper
