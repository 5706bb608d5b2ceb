"""Staff pages: the module library with "preview as patient", and tailoring a patient's
programme. PWPs see their own caseload only; service admins their service (care selectors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from care.models import Episode
from care.selectors import episode_get_for_staff
from care.services import audit_event_record
from modules.exercises import answer_display, field_views
from modules.forms import AddModuleForm, AimForm, MoveForm, WaiveForm
from modules.rendering import change_views, markdown_render
from modules.selectors import (
    Programme,
    assignment_get_for_episode,
    change_get_for_episode,
    exercise_responses_for_assignment,
    exercises_marked_for_discussion,
    module_get_for_preview,
    modules_addable,
    modules_library,
    programme_for_episode,
)
from modules.services import (
    ProgrammeRuleError,
    assignment_add,
    assignment_aim_set,
    assignment_change_undo,
    assignment_move,
    assignment_waive,
)
from modules.views import steps_of

STAFF_ROLES = (Role.PWP, Role.SERVICE_ADMIN)


@role_required(*STAFF_ROLES)
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "modules/library.html", {"modules": modules_library()})


@role_required(*STAFF_ROLES)
def preview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A module exactly as a patient sees it, page by page, with the PWP guide beside it."""
    module = module_get_for_preview(slug=slug)
    version = module.latest_version
    assert version is not None  # module_get_for_preview only returns modules with a version
    try:
        step = int(request.GET.get("step", "1"))
    except ValueError:
        step = 1
    step = min(max(step, 1), version.step_count)
    context: dict[str, Any] = {
        "module": module,
        "version": version,
        "step": step,
        "steps": steps_of(version),
        "guide": markdown_render(version.pwp_guide),
    }
    if step <= len(version.pages):
        page = version.pages[step - 1]
        context.update(page=page, body=markdown_render(page["body"]))
    else:
        exercise = version.exercises[step - len(version.pages) - 1]
        context.update(exercise=exercise, fields=field_views(exercise, answers={}))
    return render(request, "modules/preview.html", context)


def _episode(request: AuthenticatedHttpRequest, patient_id: int) -> Episode:
    return episode_get_for_staff(staff=request.user, patient_id=patient_id)


def _programme_page(
    request: AuthenticatedHttpRequest,
    episode: Episode,
    programme: Programme,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    sessions = episode.appointments.count()
    forms_by_prefix: dict[str, forms.Form] = {
        "add": AddModuleForm(modules=modules_addable(programme=programme)),
        "move": MoveForm(programme=programme),
        "aim": AimForm(programme=programme, sessions=sessions),
        "waive": WaiveForm(programme=programme),
    }
    if bound is not None and bound.prefix is not None:
        forms_by_prefix[bound.prefix] = bound
    return render(
        request,
        "modules/patient_programme.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "programme": programme,
            "changes": change_views(programme.changes, for_patient=False),
            "marked": exercises_marked_for_discussion(episode=episode),
            "forms": forms_by_prefix,
            "bound_prefix": bound.prefix if bound is not None else "",
        },
        status=status,
    )


@role_required(*STAFF_ROLES)
def patient_programme(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    episode = _episode(request, patient_id)
    audit_event_record(
        actor=request.user,
        action="modules.programme.view",
        patient=episode.patient,
        target=episode,
        request=request,
    )
    return _programme_page(request, episode, programme_for_episode(episode=episode))


def _tailor(
    request: AuthenticatedHttpRequest,
    patient_id: int,
    make_form: Callable[[Episode, Programme], forms.Form],
    apply: Callable[[Episode, dict[str, Any]], str],
) -> HttpResponse:
    """Check a tailoring form, apply it through a service, and show the outcome. A refused
    change comes back on the same form with the service's own words."""
    episode = _episode(request, patient_id)
    programme = programme_for_episode(episode=episode)
    form = make_form(episode, programme)
    status = 400
    if form.is_valid():
        try:
            done = apply(episode, form.cleaned_data)
        except ProgrammeRuleError as error:
            form.add_error(None, str(error))
        except IntegrityError:
            # Two changes to the same programme at the same moment: the database kept one.
            form.add_error(
                None, "This programme changed at the same moment. Please check it and try again."
            )
            status = 409
        else:
            messages.success(request, done)
            return redirect("modules:patient-programme", patient_id=patient_id)
    return _programme_page(
        request, episode, programme_for_episode(episode=episode), bound=form, status=status
    )


@require_POST
@role_required(*STAFF_ROLES)
def programme_add(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    def apply(episode: Episode, data: dict[str, Any]) -> str:
        module = next((module for module in modules_library() if module.pk == data["module"]), None)
        if module is None:
            raise ProgrammeRuleError("Choose a module from the list.")
        assignment_add(
            by=request.user,
            episode=episode,
            module=module,
            reason=data["reason"],
            request=request,
        )
        return "Module added. The patient can see it in their programme."

    return _tailor(
        request,
        patient_id,
        lambda episode, programme: AddModuleForm(
            request.POST, modules=modules_addable(programme=programme)
        ),
        apply,
    )


@require_POST
@role_required(*STAFF_ROLES)
def programme_move(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    def apply(episode: Episode, data: dict[str, Any]) -> str:
        assignment = assignment_get_for_episode(episode=episode, assignment_id=data["assignment"])
        assignment_move(
            by=request.user,
            assignment=assignment,
            position=data["position"],
            reason=data["reason"],
            request=request,
        )
        return "Order changed."

    return _tailor(
        request,
        patient_id,
        lambda episode, programme: MoveForm(request.POST, programme=programme),
        apply,
    )


@require_POST
@role_required(*STAFF_ROLES)
def programme_aim(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    def apply(episode: Episode, data: dict[str, Any]) -> str:
        assignment = assignment_get_for_episode(episode=episode, assignment_id=data["assignment"])
        assignment_aim_set(
            by=request.user,
            assignment=assignment,
            session=data["session"],
            reason=data["reason"],
            request=request,
        )
        return "Aim saved."

    return _tailor(
        request,
        patient_id,
        lambda episode, programme: AimForm(
            request.POST, programme=programme, sessions=episode.appointments.count()
        ),
        apply,
    )


@require_POST
@role_required(*STAFF_ROLES)
def programme_waive(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    def apply(episode: Episode, data: dict[str, Any]) -> str:
        assignment = assignment_get_for_episode(episode=episode, assignment_id=data["assignment"])
        assignment_waive(
            by=request.user, assignment=assignment, reason=data["reason"], request=request
        )
        return "Module waived. The patient can see this and your reason."

    return _tailor(
        request,
        patient_id,
        lambda episode, programme: WaiveForm(request.POST, programme=programme),
        apply,
    )


@require_POST
@role_required(*STAFF_ROLES)
def change_undo(request: AuthenticatedHttpRequest, patient_id: int, change_id: int) -> HttpResponse:
    episode = _episode(request, patient_id)
    change = change_get_for_episode(episode=episode, change_id=change_id)
    try:
        assignment_change_undo(by=request.user, change=change, request=request)
    except ProgrammeRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Change undone.")
    return redirect("modules:patient-programme", patient_id=patient_id)


@role_required(*STAFF_ROLES)
def assignment_answers(
    request: AuthenticatedHttpRequest, patient_id: int, assignment_id: int
) -> HttpResponse:
    """What the patient wrote in one module's exercises, for review before a session."""
    episode = _episode(request, patient_id)
    assignment = assignment_get_for_episode(episode=episode, assignment_id=assignment_id)
    version = assignment.version
    if version is None:
        raise Http404("The patient has not started this module.")
    audit_event_record(
        actor=request.user,
        action="modules.answers.view",
        patient=episode.patient,
        target=assignment,
        request=request,
    )
    responses = exercise_responses_for_assignment(assignment=assignment)
    exercises = []
    for exercise in version.exercises:
        response = responses.get(exercise["key"])
        answers = response.answers if response is not None else {}
        exercises.append(
            {
                "definition": exercise,
                "response": response,
                "answers": [
                    (field["label"], answer_display(field, answers.get(field["name"])))
                    for field in exercise["fields"]
                ],
            }
        )
    return render(
        request,
        "modules/assignment_answers.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "assignment": assignment,
            "version": version,
            "exercises": exercises,
        },
    )
