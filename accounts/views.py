from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.decorators import role_required
from accounts.models import Role, User
from care.models import AppointmentStatus
from care.selectors import episode_active_for_patient
from clinician.selectors import plan_for_patient
from measures.selectors import questionnaires_due_for_patient
from modules.selectors import exercise_feedback_for_patient, programme_for_episode
from modules.services import exercise_feedback_mark_read
from moodlog.models import MoodRating

# Where each role lands after signing in.
ROLE_HOMES: dict[str, str] = {
    Role.PATIENT: "accounts:patient-home",
    Role.PWP: "clinician:caseload",
    Role.NAVIGATOR: "accounts:navigator-queue",
    Role.SERVICE_ADMIN: "admin:index",
}


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own home page."""
    return redirect(ROLE_HOMES[request.user.role])  # type: ignore[union-attr]


@role_required(Role.PATIENT)
def patient_home(request: HttpRequest) -> HttpResponse:
    """Today for a patient: rate your mood, what to do next, the plan and any feedback."""
    patient = request.user
    assert isinstance(patient, User)
    episode = episode_active_for_patient(patient=patient)
    next_appointment = None
    next_module = None
    if episode is not None:
        next_appointment = (
            episode.appointments.filter(
                status=AppointmentStatus.SCHEDULED, scheduled_at__gte=timezone.now()
            )
            .order_by("scheduled_at")
            .first()
        )
        next_module = programme_for_episode(episode=episode).next_item
    plan = plan_for_patient(episode=episode) if episode is not None else []
    feedback = exercise_feedback_for_patient(patient=patient)
    response = render(
        request,
        "accounts/patient_home.html",
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


def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_not_required
def help_page(request: HttpRequest) -> HttpResponse:
    """Urgent help and sign-in help, open to everyone: a person who cannot sign in needs it most."""
    try:
        support_form_url = reverse("accounts:support-request")
    except NoReverseMatch:
        support_form_url = ""
    return render(request, "accounts/help.html", {"support_form_url": support_form_url})
