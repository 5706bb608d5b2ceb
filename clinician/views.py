from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from care.history import earlier_versions
from care.models import SessionRecord
from care.selectors import episode_get_for_staff
from care.services import EpisodeChangeError, audit_event_record, episode_end
from clinician.brief import brief_build
from clinician.caseload import FILTERS as CASELOAD_FILTERS
from clinician.caseload_page import caseload_page
from clinician.forms import EpisodeEndForm, MessageForm, SessionRecordForm
from clinician.selectors import (
    messages_for_episode,
    session_guide_for,
    session_roles,
    task_candidates,
)
from clinician.service_view import service_caseload_page
from clinician.services import (
    TaskInput,
    brief_mark_reviewed,
    message_send,
    messages_mark_read,
    session_record_save,
)
from clinician.suggestions import suggestion_accept, suggestion_dismiss, suggestions_for_episode
from modules.models import ExerciseResponse
from modules.services import ProgrammeRuleError, exercise_feedback_give


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseload ordered by need. The filter is a GET parameter; a name search is POSTed so
    that patients' names never appear in URLs or access logs."""
    show = request.GET.get("show", "all")
    if show not in CASELOAD_FILTERS:
        show = "all"
    search = request.POST.get("search", "")[:100] if request.method == "POST" else ""
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    staff = request.user
    if staff.role == Role.SERVICE_ADMIN and staff.service_id is not None and not search:
        page = service_caseload_page(staff=staff, now=timezone.now(), show=show, page=page_number)
    else:
        page = caseload_page(
            staff=staff, now=timezone.now(), search=search, show=show, page=page_number
        )
    # A caseload shows names, mood and flags: a staff read of patient data. One event per page,
    # with counts only: never the search text, which is a patient's name.
    audit_event_record(
        actor=staff,
        action="caseload.view",
        request=request,
        detail={
            "show": show,
            "rows": len(page.rows),
            "total": page.total,
            "page": page.number,
            "searched": bool(search),
        },
    )
    return render(
        request,
        "clinician/caseload.html",
        {
            "rows": page.rows,
            "page": page,
            "show": show,
            "filters": CASELOAD_FILTERS,
            "search": search,
        },
    )


@role_required(Role.PWP)
def messages_with_patient(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """The PWP's side of the conversation with one patient on their caseload."""
    pwp = request.user
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


# Length: one form page with attendance, notes, tasks, the modules to choose together (with the
# suggestions from the measures) and the session's guide.
@role_required(Role.PWP)
def session_record(request: AuthenticatedHttpRequest, patient_id: int, number: int) -> HttpResponse:
    """Record one session: attendance, agenda, notes, tasks agreed and the next appointment."""
    pwp = request.user
    episode = episode_get_for_staff(staff=pwp, patient_id=patient_id)
    appointment = episode.appointments.filter(number=number).first()
    if appointment is None:
        raise Http404("No such session.")
    record = SessionRecord.objects.filter(appointment=appointment).first()
    initial = {"agenda": record.agenda, "notes": record.notes} if record else {}
    candidates = task_candidates(episode=episode)
    suggested = {item.module_slug: item.text for item in suggestions_for_episode(episode=episode)}
    form = SessionRecordForm(
        request.POST or None, initial=initial, module_choices=[c.slug for c in candidates]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tasks = [TaskInput(description=line) for line in data["task"].splitlines() if line.strip()]
        try:
            session_record_save(
                appointment=appointment,
                by=pwp,
                attendance=data["attendance"],
                agenda=data["agenda"],
                notes=data["notes"],
                tasks=tasks,
                next_appointment_at=data["next_appointment_at"],
                chosen_modules=data["choose"],
                request=request,
            )
        except (ValidationError, ProgrammeRuleError) as error:
            form.add_error(
                None, error.messages[0] if isinstance(error, ValidationError) else str(error)
            )
        else:
            flash.success(request, f"Session {appointment.number} recorded.")
            return redirect("clinician:brief", patient_id=patient_id)
    audit_event_record(
        actor=pwp,
        action="session_record.view",
        patient=episode.patient,
        target=appointment,
        request=request,
    )
    return render(
        request,
        "clinician/session_record.html",
        {
            "episode": episode,
            "appointment": appointment,
            "record": record,
            "record_versions": (
                earlier_versions(instance=record, fields=("agenda", "notes")) if record else []
            ),
            "tasks": record.tasks.all() if record else [],
            "form": form,
            "candidates": candidates,
            "suggested": suggested,
            "chosen": request.POST.getlist("choose"),
            "guide": session_guide_for(service=episode.service, session_number=appointment.number),
            "roles": session_roles(),
        },
    )


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def session_guides(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every session's guide for the PWP's service, and who does what."""
    staff = request.user
    if staff.service is None:
        raise Http404("You are not attached to a service.")
    numbers = list(staff.service.session_plan.values_list("number", flat=True)) or list(
        range(1, 12)
    )
    guides = [session_guide_for(service=staff.service, session_number=number) for number in numbers]
    return render(
        request,
        "clinician/session_guides.html",
        {"guides": [guide for guide in guides if guide is not None], "roles": session_roles()},
    )


@role_required(Role.PWP)
def brief(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """The pre-session brief for one patient on the PWP's caseload. Every opening is audited."""
    pwp = request.user
    episode = episode_get_for_staff(staff=pwp, patient_id=patient_id)
    patient_brief = brief_build(episode=episode, pwp=pwp)
    audit_event_record(
        actor=pwp, action="brief.view", patient=episode.patient, target=episode, request=request
    )
    guide = (
        session_guide_for(service=episode.service, session_number=patient_brief.coming.number)
        if patient_brief.coming
        else None
    )
    return render(
        request,
        "clinician/brief.html",
        {
            "brief": patient_brief,
            "episode": episode,
            "guide": guide,
            "roles": session_roles(),
            "all_scores": request.GET.get("scores") == "all",
            "end_form": EpisodeEndForm(initial={"ended_on": timezone.localdate()}),
        },
    )


@role_required(Role.PWP)
def brief_reviewed(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Record that the PWP read the brief before the coming session (POST only)."""
    if request.method != "POST":
        return redirect("clinician:brief", patient_id=patient_id)
    pwp = request.user
    episode = episode_get_for_staff(staff=pwp, patient_id=patient_id)
    patient_brief = brief_build(episode=episode, pwp=pwp)
    if patient_brief.coming is None:
        flash.error(request, "There is no upcoming session to mark this brief against.")
    else:
        brief_mark_reviewed(appointment=patient_brief.coming, by=pwp, request=request)
        flash.success(request, f"Marked as reviewed before session {patient_brief.coming.number}.")
    return redirect("clinician:brief", patient_id=patient_id)


@role_required(Role.PWP)
def exercise_feedback(
    request: AuthenticatedHttpRequest, patient_id: int, response_id: int
) -> HttpResponse:
    """The PWP's written feedback on one of their patient's exercises (POST from the brief)."""
    if request.method != "POST":
        return redirect("clinician:brief", patient_id=patient_id)
    pwp = request.user
    episode = episode_get_for_staff(staff=pwp, patient_id=patient_id)
    response = (
        ExerciseResponse.objects.filter(pk=response_id, assignment__episode=episode)
        .select_related("assignment__episode")
        .first()
    )
    if response is None:
        raise Http404("No such exercise.")
    try:
        exercise_feedback_give(
            by=pwp, response=response, text=request.POST.get("text", ""), request=request
        )
    except ValidationError as error:
        flash.error(request, error.messages[0])
    else:
        flash.success(request, "Feedback sent. The patient will be told it is waiting.")
    return redirect("clinician:brief", patient_id=patient_id)


@role_required(Role.PWP)
def suggestion_respond(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Accept (the module is added, the rule recorded as the reason) or dismiss one add-on
    suggestion from the brief (POST only)."""
    if request.method != "POST":
        return redirect("clinician:brief", patient_id=patient_id)
    pwp = request.user
    episode = episode_get_for_staff(staff=pwp, patient_id=patient_id)
    rule_code = request.POST.get("rule", "")
    try:
        if request.POST.get("action") == "accept":
            change = suggestion_accept(
                by=pwp, episode=episode, rule_code=rule_code, request=request
            )
            flash.success(
                request,
                f"Added \u201c{change.assignment.module}\u201d to the programme. "
                "The patient will see it in their modules.",
            )
        else:
            suggestion_dismiss(by=pwp, episode=episode, rule_code=rule_code, request=request)
            flash.success(
                request, "Suggestion dismissed. It comes back if the questionnaire changes."
            )
    except ProgrammeRuleError as error:
        flash.error(request, str(error))
    return redirect("clinician:brief", patient_id=patient_id)


@role_required(Role.PWP)
def episode_end_view(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """End the patient's course of treatment: the reason and the day, or the reason it cannot
    end yet (an open risk flag, a date to come, a date before it started)."""
    pwp = request.user
    episode = episode_get_for_staff(staff=pwp, patient_id=patient_id)
    form = EpisodeEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            episode_end(
                episode=episode,
                reason=form.cleaned_data["reason"],
                ended_on=form.cleaned_data["ended_on"],
                by=pwp,
                request=request,
            )
        except EpisodeChangeError as error:
            form.add_error(None, str(error))
        else:
            flash.success(
                request,
                f"Treatment ended for {episode.patient.display_name}. They have left your "
                "caseload.",
            )
            return redirect("clinician:caseload")
    return render(request, "clinician/episode_end.html", {"episode": episode, "form": form})
