from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import role_required
from accounts.models import Role, User
from care.models import AppointmentStatus
from care.selectors import episode_active_for_patient, episode_get_for_staff
from care.services import audit_event_record
from clinician.forms import MessageForm, TopicForm
from clinician.models import PatientTopic
from clinician.selectors import caseload_for_staff, messages_for_episode
from clinician.services import message_send, messages_mark_read, patient_topic_set


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def caseload(request: HttpRequest) -> HttpResponse:
    episodes = caseload_for_staff(staff=_user(request))
    return render(request, "clinician/caseload.html", {"episodes": episodes})


@role_required(Role.PWP)
def messages_with_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The PWP's side of the conversation with one patient on their caseload."""
    pwp = _user(request)
    episode = episode_get_for_staff(staff=pwp, patient_id=patient_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message_send(
                episode=episode, sender=pwp, body=form.cleaned_data["body"], request=request
            )
        except ValidationError as error:
            form.add_error("body", error.messages[0])
        else:
            flash.success(request, "Message sent. The patient will be told it is waiting.")
            return redirect("clinician:messages", patient_id=patient_id)
    messages_mark_read(episode=episode, reader=pwp)
    audit_event_record(
        actor=pwp, action="messages.view", patient=episode.patient, target=episode, request=request
    )
    return render(
        request,
        "clinician/messages.html",
        {"episode": episode, "thread": messages_for_episode(episode=episode), "form": form},
    )


@role_required(Role.PATIENT)
def patient_messages(request: HttpRequest) -> HttpResponse:
    patient = _user(request)
    episode = episode_active_for_patient(patient=patient)
    if episode is None or episode.pwp is None:
        return render(request, "clinician/patient_messages.html", {"episode": episode})
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message_send(
                episode=episode, sender=patient, body=form.cleaned_data["body"], request=request
            )
        except ValidationError as error:
            form.add_error("body", error.messages[0])
        else:
            flash.success(
                request,
                "Message sent. Your therapist will read it before your next session. "
                "It is not read straight away.",
            )
            return redirect("clinician:patient-messages")
    messages_mark_read(episode=episode, reader=patient)
    return render(
        request,
        "clinician/patient_messages.html",
        {"episode": episode, "thread": messages_for_episode(episode=episode), "form": form},
    )


@role_required(Role.PATIENT)
def patient_topics(request: HttpRequest) -> HttpResponse:
    """What the patient wants to talk about at their next session."""
    patient = _user(request)
    episode = episode_active_for_patient(patient=patient)
    if episode is None:
        raise Http404("You are not in treatment at the moment.")
    appointment = (
        episode.appointments.filter(
            status=AppointmentStatus.SCHEDULED, scheduled_at__gte=timezone.now()
        )
        .order_by("scheduled_at")
        .first()
    )
    if appointment is None:
        return render(request, "clinician/patient_topics.html", {"appointment": None})
    existing = PatientTopic.objects.filter(appointment=appointment).first()
    form = TopicForm(request.POST or None, initial={"text": existing.text if existing else ""})
    if request.method == "POST" and form.is_valid():
        patient_topic_set(episode=episode, appointment=appointment, text=form.cleaned_data["text"])
        flash.success(request, "Saved. Your therapist will see this before your session.")
        return redirect("clinician:patient-topics")
    return render(
        request, "clinician/patient_topics.html", {"appointment": appointment, "form": form}
    )
