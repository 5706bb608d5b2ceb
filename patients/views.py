"""The patient's own pages: today (home), messages with their therapist, and what they want to
talk about at the next session. Every page is for the signed-in patient only."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from accounts.drafts import draft_delete, draft_get, draft_save
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Draft, Role
from care.selectors import appointment_next_for_episode, episode_active_for_patient
from clinician.drafts import MESSAGE_DRAFT_KEY, TOPICS_DRAFT_KEY
from clinician.forms import MessageForm
from clinician.models import PatientTopic
from clinician.selectors import messages_for_episode
from clinician.services import message_send, messages_mark_read, patient_topic_set
from measures.selectors import questionnaires_due_for_patient
from modules.selectors import exercise_feedback_for_patient, programme_for_episode
from modules.services import exercise_feedback_mark_read
from moodlog.models import MoodRating
from patients.forms import TopicForm
from patients.selectors import plan_for_patient
from safety.phrases import phrase_match


@role_required(Role.PATIENT)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Today for a patient: rate your mood, what to do next, the plan and any feedback."""
    patient = request.user
    episode = episode_active_for_patient(patient=patient)
    next_appointment = None
    next_module = None
    if episode is not None:
        next_appointment = appointment_next_for_episode(episode=episode)
        next_module = programme_for_episode(episode=episode).next_item
    plan = plan_for_patient(episode=episode) if episode is not None else []
    feedback = exercise_feedback_for_patient(patient=patient)
    response = render(
        request,
        "patients/home.html",
        {
            "episode": episode,
            "next_appointment": next_appointment,
            "next_module": next_module,
            "rated_today": MoodRating.objects.filter(
                patient=patient, day=patient.local_today()
            ).exists(),
            "plan": plan,
            "feedback": feedback,
            "questionnaires_due": questionnaires_due_for_patient(patient=patient)
            if episode
            else [],
        },
    )
    exercise_feedback_mark_read(patient=patient)
    return response


@role_required(Role.PATIENT)
def messages(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The patient's side of the conversation with their PWP."""
    patient = request.user
    episode = episode_active_for_patient(patient=patient)
    if episode is None or episode.pwp is None:
        return render(request, "patients/messages.html", {"episode": episode})
    if request.method == "POST" and request.POST.get("action") == "draft":
        return _keep_for_later(
            request, key=MESSAGE_DRAFT_KEY, field="body", then="patients:messages"
        )
    draft = draft_get(user=patient, key=MESSAGE_DRAFT_KEY)
    form = MessageForm(request.POST or None, initial={"body": _draft_text(draft, "body")})
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
            if phrase_match(form.cleaned_data["body"]):
                return redirect("safety:crisis-help")
            return redirect("patients:messages")
    messages_mark_read(episode=episode, reader=patient)
    return render(
        request,
        "patients/messages.html",
        {
            "episode": episode,
            "thread": messages_for_episode(episode=episode),
            "form": form,
            "draft": draft,
            "draft_key": MESSAGE_DRAFT_KEY,
        },
    )


@role_required(Role.PATIENT)
def next_session(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the patient wants to talk about at their next session."""
    patient = request.user
    episode = episode_active_for_patient(patient=patient)
    if episode is None:
        raise Http404("You are not in treatment at the moment.")
    appointment = appointment_next_for_episode(episode=episode)
    if appointment is None:
        return render(request, "patients/next_session.html", {"appointment": None})
    if request.method == "POST" and request.POST.get("action") == "draft":
        return _keep_for_later(
            request, key=TOPICS_DRAFT_KEY, field="text", then="patients:next-session"
        )
    existing = PatientTopic.objects.filter(appointment=appointment).first()
    draft = draft_get(user=patient, key=TOPICS_DRAFT_KEY)
    text = _draft_text(draft, "text") if draft else existing.text if existing else ""
    form = TopicForm(request.POST or None, initial={"text": text})
    if request.method == "POST" and form.is_valid():
        patient_topic_set(episode=episode, appointment=appointment, text=form.cleaned_data["text"])
        flash.success(request, "Saved. Your therapist will see this before your session.")
        if phrase_match(form.cleaned_data["text"]):
            return redirect("safety:crisis-help")
        return redirect("patients:next-session")
    return render(
        request,
        "patients/next_session.html",
        {"appointment": appointment, "form": form, "draft": draft, "draft_key": TOPICS_DRAFT_KEY},
    )


def _draft_text(draft: Draft | None, field: str) -> str:
    value = draft.fields.get(field, "") if draft is not None else ""
    return value if isinstance(value, str) else ""


def _keep_for_later(
    request: AuthenticatedHttpRequest, *, key: str, field: str, then: str
) -> HttpResponse:
    """The "Save for later" button, for phones without JavaScript: keep the words as a draft,
    unsent and unread by anyone, and come back to them."""
    text = request.POST.get(field, "")
    if text.strip():
        draft_save(user=request.user, key=key, fields={field: text})
        flash.success(request, "Saved for later. It has not been sent to your therapist yet.")
    else:
        draft_delete(user=request.user, key=key)
        flash.info(request, "There was nothing to save.")
    return redirect(then)
