"""The digital navigator's pages: the support queue, a patient's technical picture, and the
actions that fix sign-in problems. Engagement and technical data only, never clinical content.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.forms import NoteForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import DETECTED_KINDS, Role, SupportRequest, User
from accounts.selectors import (
    patient_get_for_navigator,
    patient_support_summary,
    support_queue_for_navigator,
    support_request_get_for_navigator,
)
from accounts.services import (
    SupportActionError,
    navigator_note_add,
    patient_password_reset_send,
    patient_unlock,
    sign_in_link_send,
    support_request_close,
    support_request_for_condition,
    support_request_note,
    support_request_pick_up,
)
from accounts.support_queue_page import support_queue_page
from care.selectors import episode_active_for_patient
from care.services import audit_event_record


def _back(request: AuthenticatedHttpRequest, default: str) -> HttpResponseRedirect:
    """Return to the page the form was on, if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


@role_required(Role.NAVIGATOR)
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The support queue, a page at a time in its priority order. The forms on it come back to
    the same page (their ``next`` is the page's address)."""
    navigator = request.user
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    page = support_queue_page(
        queue=support_queue_for_navigator(navigator=navigator), page=page_number
    )
    audit_event_record(
        actor=navigator,
        action="navigator.queue.view",
        request=request,
        detail={"items": page.total, "page": page.number},
    )
    return render(
        request,
        "accounts/navigator_queue.html",
        {"queue": page, "note_form": NoteForm()},
    )


def _support_request_from_post(
    request: AuthenticatedHttpRequest, navigator: User
) -> SupportRequest:
    request_id = request.POST.get("support_request", "")
    if request_id.isdigit():
        return support_request_get_for_navigator(
            navigator=navigator, support_request_id=int(request_id)
        )
    patient_id = request.POST.get("patient", "")
    kind = request.POST.get("kind", "")
    if not patient_id.isdigit() or kind not in DETECTED_KINDS:
        raise SupportActionError("That item could not be found. Please reload the queue.")
    patient = patient_get_for_navigator(navigator=navigator, patient_id=int(patient_id))
    return support_request_for_condition(by=navigator, patient=patient, kind=kind)


@require_POST
@role_required(Role.NAVIGATOR)
def support_request_act(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Pick up, note or close a queue item. An item the queue found is stored the first time a
    navigator acts on it."""
    navigator = request.user
    action = request.POST.get("action", "")
    try:
        support_request = _support_request_from_post(request, navigator)
        if action == "pick_up":
            support_request_pick_up(by=navigator, support_request=support_request, request=request)
            messages.success(request, "You have picked up this item.")
        elif action == "note":
            support_request_note(
                by=navigator,
                support_request=support_request,
                text=request.POST.get("text", ""),
                request=request,
            )
            messages.success(request, "Note saved.")
        elif action == "close":
            support_request_close(
                by=navigator,
                support_request=support_request,
                request=request,
                note=request.POST.get("text", ""),
            )
            messages.success(request, "Item closed.")
        else:
            raise SupportActionError("Choose pick up, add a note or close.")
    except SupportActionError as error:
        messages.error(request, str(error))
    return _back(request, reverse("accounts:navigator-queue"))


@role_required(Role.NAVIGATOR)
def patient_detail(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    navigator = request.user
    patient = patient_get_for_navigator(navigator=navigator, patient_id=patient_id)
    summary = patient_support_summary(navigator=navigator, patient=patient)
    audit_event_record(
        actor=navigator, action="navigator.patient.view", patient=patient, request=request
    )
    return render(
        request,
        "accounts/navigator_patient.html",
        {
            "patient": patient,
            "summary": summary,
            "note_form": NoteForm(),
            "link_minutes": settings.BCBT_SIGN_IN_LINK_MINUTES,
        },
    )


def _patient_action_redirect(
    request: AuthenticatedHttpRequest, patient: User
) -> HttpResponseRedirect:
    return _back(request, reverse("accounts:navigator-patient", args=[patient.pk]))


@require_POST
@role_required(Role.NAVIGATOR)
def patient_send_sign_in_link(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    navigator = request.user
    patient = patient_get_for_navigator(navigator=navigator, patient_id=patient_id)
    support_request = None
    request_id = request.POST.get("support_request", "")
    if request_id.isdigit():
        support_request = support_request_get_for_navigator(
            navigator=navigator, support_request_id=int(request_id)
        )
        if support_request.patient_id != patient.pk:
            support_request = None
    try:
        sign_in_link_send(
            by=navigator, patient=patient, request=request, support_request=support_request
        )
    except SupportActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Sign-in link sent to {patient.display_name}'s email. It works once, for "
            f"{settings.BCBT_SIGN_IN_LINK_MINUTES} minutes.",
        )
    return _patient_action_redirect(request, patient)


@require_POST
@role_required(Role.NAVIGATOR)
def patient_unlock_view(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    navigator = request.user
    patient = patient_get_for_navigator(navigator=navigator, patient_id=patient_id)
    cleared = patient_unlock(by=navigator, patient=patient, request=request)
    if cleared:
        messages.success(request, f"{patient.display_name} can sign in again now.")
    else:
        messages.info(request, f"{patient.display_name} was not locked out.")
    return _patient_action_redirect(request, patient)


@require_POST
@role_required(Role.NAVIGATOR)
def patient_password_reset(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    navigator = request.user
    patient = patient_get_for_navigator(navigator=navigator, patient_id=patient_id)
    try:
        patient_password_reset_send(by=navigator, patient=patient, request=request)
    except SupportActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Password reset email sent to {patient.display_name}.")
    return _patient_action_redirect(request, patient)


@require_POST
@role_required(Role.NAVIGATOR)
def patient_note_for_pwp(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    navigator = request.user
    patient = patient_get_for_navigator(navigator=navigator, patient_id=patient_id)
    summary_episode = episode_active_for_patient(patient=patient)
    form = NoteForm(request.POST)
    if summary_episode is None:
        messages.error(request, "This patient is not in treatment, so there is no PWP to tell.")
    elif not form.is_valid():
        messages.error(request, "Write the note before saving it (up to 1,000 characters).")
    else:
        try:
            navigator_note_add(
                by=navigator,
                patient=patient,
                episode=summary_episode,
                text=form.cleaned_data["text"],
                request=request,
            )
        except SupportActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Note saved. The PWP will see it in the session brief.")
    return redirect("accounts:navigator-patient", patient_id=patient.pk)
