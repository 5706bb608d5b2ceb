"""The console's staff page: who works here (role, caseload, two-step verification, last
sign-in), inviting, deactivating and reactivating, and the duty queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.registration import StaffChangeError
from accounts.services import SupportActionError
from care.models import Service
from care.services import DutyQueueError, duty_queue_member_add, duty_queue_member_remove
from console.access import service_admin_required
from console.staff.forms import DutyQueueAddForm, StaffInviteForm
from console.staff.selectors import (
    duty_queue_candidates,
    duty_queue_for_service,
    staff_for_service,
    staff_get_for_console,
)
from console.staff.services import (
    CaseloadNotEmpty,
    staff_deactivate,
    staff_invite,
    staff_invite_resend,
    staff_reactivate,
)


def _service(request: HttpRequest) -> Service:
    service: Service = request.console_service  # type: ignore[attr-defined]
    return service


def _admin(request: HttpRequest) -> User:
    user: Any = request.user
    return user


# Staff per page: a large service's staff list stays one page size.
STAFF_PAGE_SIZE = 50


def _staff_page(
    request: HttpRequest, *, duty_form: DutyQueueAddForm | None = None, status: int = 200
) -> HttpResponse:
    service = _service(request)
    page = Paginator(staff_for_service(service=service), STAFF_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "console/staff/list.html",
        {
            "staff": list(page.object_list),
            "page": page,
            "duty_queue": list(duty_queue_for_service(service=service)),
            "duty_form": duty_form
            or DutyQueueAddForm(candidates=duty_queue_candidates(service=service)),
        },
        status=status,
    )


@require_http_methods(["GET"])
@service_admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    return _staff_page(request)


@require_http_methods(["GET", "POST"])
@service_admin_required
def staff_invite_view(request: HttpRequest) -> HttpResponse:
    service = _service(request)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = staff_invite(
                service=service,
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                by=_admin(request),
                request=request,
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            name = invited.staff.display_name
            if invited.sent:
                messages.success(
                    request,
                    f"We emailed {name} an invitation to set their password. They set up "
                    "two-step verification the first time they sign in.",
                )
            else:
                messages.warning(
                    request,
                    f"{name}'s account is made, but the invitation email did not go: our email "
                    "provider refused it. Press \u201cSend the invitation again\u201d below in a "
                    "few minutes.",
                )
            return redirect("console:staff")
    return render(request, "console/staff/invite.html", {"form": form})


@require_POST
@service_admin_required
def staff_deactivate_view(request: HttpRequest, staff_id: int) -> HttpResponse:
    service = _service(request)
    staff = staff_get_for_console(service=service, staff_id=staff_id)
    try:
        staff_deactivate(service=service, staff=staff, by=_admin(request), request=request)
    except CaseloadNotEmpty as error:
        link = f"{reverse('console:patients')}?status=active&pwp={staff.pk}"
        messages.error(
            request,
            format_html(
                '{} cannot be deactivated yet. <a href="{}">Reassign their {} patient{} first</a>.',
                staff.display_name,
                link,
                error.count,
                "s" if error.count != 1 else "",
            ),
        )
    except StaffChangeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{staff.display_name} is deactivated: they cannot sign in. Their records stay.",
        )
    return redirect("console:staff")


@require_POST
@service_admin_required
def staff_reactivate_view(request: HttpRequest, staff_id: int) -> HttpResponse:
    staff = staff_get_for_console(service=_service(request), staff_id=staff_id)
    try:
        staff_reactivate(staff=staff, by=_admin(request), request=request)
    except StaffChangeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{staff.display_name} can sign in again.")
    return redirect("console:staff")


@require_POST
@service_admin_required
def staff_invite_resend_view(request: HttpRequest, staff_id: int) -> HttpResponse:
    service = _service(request)
    staff = staff_get_for_console(service=service, staff_id=staff_id)
    try:
        sent = staff_invite_resend(
            service=service, staff=staff, by=_admin(request), request=request
        )
    except SupportActionError as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(request, f"We emailed {staff.display_name} a new invitation.")
        else:
            messages.error(
                request,
                "The invitation did not go: our email provider refused it. Try again in a few "
                "minutes.",
            )
    return redirect("console:staff")


@require_POST
@service_admin_required
def duty_queue_add_view(request: HttpRequest) -> HttpResponse:
    service = _service(request)
    form = DutyQueueAddForm(request.POST, candidates=duty_queue_candidates(service=service))
    if not form.is_valid():
        return _staff_page(request, duty_form=form, status=400)
    staff = form.cleaned_data["staff"]
    try:
        duty_queue_member_add(service=service, staff=staff, by=_admin(request), request=request)
    except DutyQueueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{staff.display_name} is on the duty queue.")
    return redirect("console:staff")


@require_POST
@service_admin_required
def duty_queue_remove_view(request: HttpRequest, staff_id: int) -> HttpResponse:
    service = _service(request)
    staff = staff_get_for_console(service=service, staff_id=staff_id)
    if duty_queue_member_remove(service=service, staff=staff, by=_admin(request), request=request):
        messages.success(request, f"{staff.display_name} is off the duty queue.")
    return redirect("console:staff")
