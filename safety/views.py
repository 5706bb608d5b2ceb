"""Staff pages for risk flags: the open flags of a PWP or duty queue, and one flag to review
and close. Reads go through the scoped selectors (another PWP's flag is a 404) and are audited;
navigators and patients get 403: they never see flags."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from care.history import earlier_versions
from care.services import audit_event_record
from safety.forms import FlagCloseForm
from safety.selectors import (
    risk_flag_get_for_staff,
    risk_flags_open_for_staff,
    risk_flags_with_failed_alerts,
)
from safety.services import RiskFlagAlreadyClosed, risk_flag_acknowledge, risk_flag_close
from safety.signposting import crisis_signposting
from safety.sources import flag_source_describe

# Flags per page on the flags page and the duty queue.
FLAGS_PER_PAGE = 50


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def flag_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The open flags a page at a time (oldest first), so a service's duty queue costs the same
    few queries however many flags wait."""
    staff = request.user
    page = Paginator(risk_flags_open_for_staff(staff=staff), FLAGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    flags = list(page.object_list)
    failed = risk_flags_with_failed_alerts(flag_ids=[flag.pk for flag in flags])
    audit_event_record(
        actor=staff,
        action="risk_flag.list",
        request=request,
        detail={"open": page.paginator.count, "page": page.number, "rows": len(flags)},
    )
    return render(
        request,
        "safety/flag_list.html",
        {"flags": [(flag, flag.pk in failed) for flag in flags], "page": page},
    )


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def flag_detail(request: AuthenticatedHttpRequest, flag_id: int) -> HttpResponse:
    staff = request.user
    flag = risk_flag_get_for_staff(staff=staff, flag_id=flag_id)
    form = FlagCloseForm(request.POST or None)
    status = 200
    if request.method == "POST" and flag.is_open and request.POST.get("action") == "acknowledge":
        try:
            risk_flag_acknowledge(flag=flag, by=staff, request=request)
        except RiskFlagAlreadyClosed:
            messages.info(request, "Someone else closed this flag.")
        else:
            messages.success(request, "Acknowledged: others can see you are on it.")
        return redirect("safety:flag-detail", flag_id=flag.pk)
    if request.method == "POST" and flag.is_open and form.is_valid():
        try:
            risk_flag_close(flag=flag, by=staff, note=form.cleaned_data["note"], request=request)
        except RiskFlagAlreadyClosed:
            messages.info(request, "Someone else closed this flag while you were writing.")
            return redirect("safety:flag-detail", flag_id=flag.pk)
        except ValidationError as error:
            form.add_error("note", error.messages[0])
        else:
            messages.success(request, "Flag closed. Your note is saved with it.")
            return redirect("safety:flags")
    if request.method == "POST":
        status = 400 if flag.is_open else 409
    else:
        audit_event_record(
            actor=staff, action="risk_flag.view", patient=flag.patient, target=flag, request=request
        )
    return render(
        request,
        "safety/flag_detail.html",
        {
            "flag": flag,
            "form": form,
            "source": flag_source_describe(flag.source_response),
            "note_versions": earlier_versions(instance=flag, fields=("review_note",)),
            "alert_failed": bool(risk_flags_with_failed_alerts(flag_ids=[flag.pk])),
        },
        status=status,
    )


@role_required(Role.PATIENT)
def crisis_help(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a patient lands straight after saving words that raised a flag: crisis signposting
    first, then the way back. The page never repeats what they wrote."""
    return render(request, "safety/crisis_help.html", {"signposting": crisis_signposting()})
