"""The console's patient pages: the list with caseload sizes, registering a patient, and one
patient's page with reassigning, contact details, the welcome link and ending treatment.

Every page is a staff read of patient data and writes an audit event (ids and counts only).
A search is POSTed and kept in the session, so names, emails and NHS numbers never appear in
URLs or access logs.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.registration import contact_details_update
from accounts.services import SupportActionError
from care.end_guards import episode_end_refusals
from care.models import Episode, Service
from care.selectors import appointment_next_among
from care.services import EpisodeChangeError, audit_event_record, episode_end
from console.access import service_admin_required
from console.patients.forms import ContactForm, EpisodeEndForm, PatientRegisterForm, ReassignForm
from console.patients.selectors import (
    STATUS_FILTERS,
    caseload_sizes,
    episodes_for_console,
    patient_get_for_console,
    patients_for_service,
    pwps_for_service,
)
from console.patients.services import (
    Registration,
    patient_pwp_change,
    patient_register,
    welcome_resend,
)

PAGE_SIZE = 25
SEARCH_KEY = "console_patient_search"


def _service(request: HttpRequest) -> Service:
    service: Service = request.console_service  # type: ignore[attr-defined]
    return service


def _admin(request: HttpRequest) -> User:
    user: Any = request.user
    return user


def _form_errors_from(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError beside the form's fields (or above them)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _pwp_filter(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@require_http_methods(["GET", "POST"])
@service_admin_required
def patient_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(SEARCH_KEY, None)
        else:
            request.session[SEARCH_KEY] = request.POST.get("search", "").strip()[:100]
        return redirect(f"{reverse('console:patients')}?{request.GET.urlencode()}")
    service = _service(request)
    search = request.session.get(SEARCH_KEY, "")
    status = request.GET.get("status", "all")
    if status not in STATUS_FILTERS:
        status = "all"
    pwp_id = _pwp_filter(request.GET.get("pwp"))
    episodes = patients_for_service(service=service, search=search, pwp_id=pwp_id, status=status)
    page = Paginator(episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    caseloads = caseload_sizes(service=service)
    pwp_name = next(
        (item.pwp.display_name for item in caseloads if item.pwp and item.pwp.pk == pwp_id), ""
    )
    audit_event_record(
        actor=_admin(request),
        action="console.patients.view",
        request=request,
        detail={
            "rows": len(page.object_list),
            "total": page.paginator.count,
            "page": page.number,
            "searched": bool(search),
            "status": status,
            "pwp_id": pwp_id,
        },
    )
    query = {"status": status, **({"pwp": str(pwp_id)} if pwp_id else {})}
    return render(
        request,
        "console/patients/list.html",
        {
            "page": page,
            "now": now,
            "search": search,
            "status": status,
            "filters": STATUS_FILTERS,
            "pwp_id": pwp_id,
            "pwp_name": pwp_name,
            "caseloads": caseloads,
            "query": "&".join(f"{key}={value}" for key, value in query.items()),
        },
    )


@require_http_methods(["GET", "POST"])
@service_admin_required
def patient_new(request: HttpRequest) -> HttpResponse:
    service = _service(request)
    form = PatientRegisterForm(
        request.POST or None,
        pwps=pwps_for_service(service=service),
        time_zone=service.time_zone,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registered = patient_register(
                service=service,
                registration=Registration(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    contact=form.contact(),
                    time_zone=data["time_zone"],
                    pwp=data["pwp"],
                    first_appointment_on=data["first_appointment_on"],
                    first_appointment_time=data["first_appointment_time"],
                ),
                by=_admin(request),
                request=request,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            name = registered.patient.display_name
            if registered.welcome_sent:
                messages.success(
                    request,
                    f"{name} is registered. We emailed them a welcome with a link to sign in.",
                )
            else:
                messages.warning(
                    request,
                    f"{name} is registered, but the welcome email did not go: our email "
                    "provider refused it. Press \u201cSend a new welcome link\u201d below to try "
                    "again in a few minutes, or phone them.",
                )
            return redirect("console:patient", patient_id=registered.patient.pk)
    return render(request, "console/patients/new.html", {"form": form})


def _patient_page(
    request: HttpRequest,
    patient: User,
    *,
    reassign_form: ReassignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    service = _service(request)
    episodes = episodes_for_console(service=service, patient=patient)
    current = next((episode for episode in episodes if episode.is_active), None)
    pwps = pwps_for_service(service=service)
    if reassign_form is None and current is not None:
        reassign_form = ReassignForm(pwps=pwps, initial={"pwp": current.pwp_id})
    audit_event_record(
        actor=_admin(request),
        action="console.patient.view",
        patient=patient,
        target=patient,
        request=request,
    )
    return render(
        request,
        "console/patients/detail.html",
        {
            "patient": patient,
            "episodes": episodes,
            "current": current,
            "next_appointment": (
                appointment_next_among(current.appointments.all(), now=timezone.now())
                if current is not None
                else None
            ),
            "reassign_form": reassign_form,
        },
        status=status,
    )


@require_http_methods(["GET"])
@service_admin_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_console(service=_service(request), patient_id=patient_id)
    return _patient_page(request, patient)


def _current_episode(service: Service, patient: User) -> Episode | None:
    return next(
        (
            episode
            for episode in episodes_for_console(service=service, patient=patient)
            if episode.is_active
        ),
        None,
    )


@require_POST
@service_admin_required
def patient_reassign(request: HttpRequest, patient_id: int) -> HttpResponse:
    service = _service(request)
    patient = patient_get_for_console(service=service, patient_id=patient_id)
    episode = _current_episode(service, patient)
    if episode is None:
        messages.error(request, "This patient's treatment has ended, so their PWP cannot change.")
        return redirect("console:patient", patient_id=patient.pk)
    form = ReassignForm(request.POST, pwps=pwps_for_service(service=service))
    if not form.is_valid():
        return _patient_page(request, patient, reassign_form=form, status=400)
    pwp = form.cleaned_data["pwp"]
    if (pwp.pk if pwp is not None else None) == episode.pwp_id:
        messages.info(request, "Nothing changed: that is already their PWP.")
        return redirect("console:patient", patient_id=patient.pk)
    try:
        patient_pwp_change(
            service=service, episode=episode, pwp=pwp, by=_admin(request), request=request
        )
    except (ValidationError, EpisodeChangeError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            f"{patient.display_name}'s PWP is now {pwp.display_name}; we told them in bcbt."
            if pwp is not None
            else f"{patient.display_name} has no PWP now: their alerts go to the duty queue.",
        )
    return redirect("console:patient", patient_id=patient.pk)


@require_http_methods(["GET", "POST"])
@service_admin_required
def patient_contact(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for_console(service=_service(request), patient_id=patient_id)
    form = ContactForm(request.POST or None, owner=patient)
    if request.method == "POST" and form.is_valid():
        try:
            changed = contact_details_update(
                user=patient, contact=form.contact(), by=_admin(request), request=request
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request,
                "Contact details saved."
                if changed
                else "Nothing changed: the details were the same.",
            )
            return redirect("console:patient", patient_id=patient.pk)
    if request.method == "GET":
        # The form shows the patient's contact details: a staff read like the patient's page.
        audit_event_record(
            actor=_admin(request),
            action="console.patient.contact_view",
            patient=patient,
            target=patient,
            request=request,
        )
    return render(request, "console/patients/contact.html", {"patient": patient, "form": form})


@require_POST
@service_admin_required
def patient_welcome(request: HttpRequest, patient_id: int) -> HttpResponse:
    service = _service(request)
    patient = patient_get_for_console(service=service, patient_id=patient_id)
    try:
        sent = welcome_resend(service=service, patient=patient, by=_admin(request), request=request)
    except SupportActionError as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(request, f"We emailed {patient.display_name} a new welcome link.")
        else:
            messages.error(
                request,
                "The welcome email did not go: our email provider refused it. Try again in a "
                "few minutes, or phone the patient. The failure is in the support queue.",
            )
    return redirect("console:patient", patient_id=patient.pk)


@require_http_methods(["GET", "POST"])
@service_admin_required
def patient_end(request: HttpRequest, patient_id: int) -> HttpResponse:
    service = _service(request)
    patient = patient_get_for_console(service=service, patient_id=patient_id)
    episode = _current_episode(service, patient)
    if episode is None:
        messages.info(request, "This patient's treatment has already ended.")
        return redirect("console:patient", patient_id=patient.pk)
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(service.time_zone))
    form = EpisodeEndForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            episode_end(
                episode=episode,
                reason=form.cleaned_data["reason"],
                ended_on=form.cleaned_data["ended_on"],
                by=_admin(request),
                request=request,
            )
        except EpisodeChangeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{patient.display_name}'s treatment has ended. They can still sign in and read "
                "their own work, and get no more reminders.",
            )
            return redirect("console:patient", patient_id=patient.pk)
    return render(
        request,
        "console/patients/end.html",
        {
            "patient": patient,
            "episode": episode,
            "form": form,
            "refusals": episode_end_refusals(episode=episode),
        },
        status=400 if form.errors else 200,
    )
