"""The patient's pages: their programme, and each module page by page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.drafts import draft_delete, draft_fields_from_post, draft_get, draft_save
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from modules.drafts import exercise_draft_key
from modules.exercises import answer_display, field_views
from modules.models import Assignment, ModuleVersion
from modules.rendering import change_views, markdown_render
from modules.selectors import (
    Programme,
    ProgrammeItem,
    Status,
    exercise_definition,
    exercise_response_for_patient,
    exercise_responses_for_assignment,
    programme_for_patient,
    programme_item_for_patient,
)
from modules.services import (
    ExerciseAnswersInvalid,
    ProgrammeRuleError,
    assignment_start,
    assignment_step_complete,
    exercise_answers_save,
    exercise_discussion_set,
)
from safety.phrases import phrase_match


def _treatment_ended(request: AuthenticatedHttpRequest, programme: Programme) -> bool:
    """After treatment ends the patient still reads their modules and what they wrote, but
    changes nothing: say so instead of saving."""
    if programme.episode.is_active:
        return False
    messages.info(
        request,
        "Your treatment has ended, so nothing here can be changed now. You can still read your "
        "modules and what you wrote.",
    )
    return True


@role_required(Role.PATIENT)
def programme(request: AuthenticatedHttpRequest) -> HttpResponse:
    programme = programme_for_patient(patient=request.user, include_ended=True)
    context: dict[str, Any] = {"programme": programme}
    if programme is not None:
        context["changes"] = change_views(programme.changes, for_patient=True)
    return render(request, "modules/programme.html", context)


def steps_of(version: ModuleVersion) -> list[dict[str, Any]]:
    """Pages then exercises, numbered from 1, as the patient moves through them."""
    steps: list[dict[str, Any]] = [
        {"number": number, "title": page["title"], "kind": "page"}
        for number, page in enumerate(version.pages, start=1)
    ]
    steps += [
        {"number": len(version.pages) + index, "title": exercise["title"], "kind": "exercise"}
        for index, exercise in enumerate(version.exercises, start=1)
    ]
    return steps


@role_required(Role.PATIENT)
def module_overview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A module's first page: what it is, how long it takes, and Start or Continue."""
    programme, item = programme_item_for_patient(
        patient=request.user, slug=slug, include_ended=True
    )
    assignment = item.assignment
    if request.method == "POST":
        if _treatment_ended(request, programme):
            return redirect("modules:step", slug=slug, step=1)
        if not item.is_open:
            messages.error(request, item.locked_reason)
            return redirect("modules:module", slug=slug)
        try:
            assignment_start(assignment=assignment)
        except ProgrammeRuleError as error:
            messages.error(request, str(error))
            return redirect("modules:module", slug=slug)
        return redirect("modules:step", slug=slug, step=assignment.last_step)
    return render(
        request,
        "modules/module.html",
        {"item": item, "steps": steps_of(item.version), "Status": Status},
    )


@role_required(Role.PATIENT)
def module_step(request: AuthenticatedHttpRequest, slug: str, step: int) -> HttpResponse:
    """One page or exercise of a module. Each Next or Save is stored at once, so the patient can
    stop here and carry on from any device."""
    programme, item = programme_item_for_patient(
        patient=request.user, slug=slug, include_ended=True
    )
    if request.method == "POST" and _treatment_ended(request, programme):
        return redirect("modules:step", slug=slug, step=step)
    assignment = item.assignment
    version = assignment.version
    if version is None or not item.is_open:
        return redirect("modules:module", slug=slug)
    if not 1 <= step <= version.step_count:
        raise Http404("No such page.")
    if step > assignment.steps_done + 1:
        # Pages are read in order; jump back to the first one not yet read.
        return redirect("modules:step", slug=slug, step=assignment.steps_done + 1)
    page_count = len(version.pages)
    context: dict[str, Any] = {
        "item": item,
        "version": version,
        "step": step,
        "step_count": version.step_count,
        "back_url": (
            reverse("modules:step", args=[slug, step - 1])
            if step > 1
            else reverse("modules:module", args=[slug])
        ),
    }
    if step <= page_count:
        if request.method == "POST":
            assignment_step_complete(assignment=assignment, step=step)
            return redirect("modules:step", slug=slug, step=step + 1)
        page = version.pages[step - 1]
        context.update(page=page, body=markdown_render(page["body"]))
        return render(request, "modules/page.html", context)
    return _exercise_step(request, item, assignment, version, step, context)


def _exercise_step(
    request: AuthenticatedHttpRequest,
    item: ProgrammeItem,
    assignment: Assignment,
    version: ModuleVersion,
    step: int,
    context: dict[str, Any],
) -> HttpResponse:
    exercise = version.exercises[step - len(version.pages) - 1]
    response = exercise_response_for_patient(assignment=assignment, exercise_key=exercise["key"])
    draft_key = exercise_draft_key(slug=item.slug, exercise_key=exercise["key"])
    status = 200
    if request.method == "POST":
        finishing = request.POST.get("action") != "save"
        try:
            exercise_answers_save(
                assignment=assignment,
                exercise_key=exercise["key"],
                data=request.POST,
                finishing=finishing,
            )
        except ExerciseAnswersInvalid as invalid:
            context["errors"] = invalid.errors
            context["fields"] = field_views(
                exercise, answers={}, errors=invalid.errors, posted=request.POST
            )
            # Nothing was saved, so keep what was typed as a draft: leaving the page now
            # loses nothing.
            draft_save(
                user=request.user,
                key=draft_key,
                fields=draft_fields_from_post(request.POST, names=_field_names(exercise)),
            )
            status = 400
        else:
            if phrase_match("\n".join(str(value) for value in request.POST.values())):
                return redirect("safety:crisis-help")
            if not finishing:
                messages.success(
                    request,
                    "Saved. You can come back to this at any time, on this or another device.",
                )
                return redirect("modules:step", slug=item.slug, step=step)
            if step < version.step_count:
                return redirect("modules:step", slug=item.slug, step=step + 1)
            return redirect("modules:finished", slug=item.slug)
    draft = draft_get(user=request.user, key=draft_key) if "fields" not in context else None
    if draft is not None and response is not None and response.updated_at >= draft.updated_at:
        # Saved after this draft was kept (a late save-as-you-go request, another device):
        # the saved answers win.
        draft_delete(user=request.user, key=draft_key)
        draft = None
    if draft is not None:
        context["fields"] = field_views(exercise, answers={}, posted=draft.fields)
    elif "fields" not in context:
        context["fields"] = field_views(
            exercise, answers=response.answers if response is not None else {}
        )
    context.update(exercise=exercise, response=response, draft=draft, draft_key=draft_key)
    return render(request, "modules/exercise.html", context, status=status)


def _field_names(exercise: dict[str, Any]) -> list[str]:
    return [definition["name"] for definition in exercise["fields"]]


@role_required(Role.PATIENT)
def module_finished(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The end of a module: well done, what you wrote, and 'I'd like to talk about this'."""
    _programme, item = programme_item_for_patient(
        patient=request.user, slug=slug, include_ended=True
    )
    assignment = item.assignment
    version = assignment.version
    if version is None or assignment.completed_at is None:
        return redirect("modules:module", slug=slug)
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
                    (field["label"], answer_display(field, answers[field["name"]]))
                    for field in exercise["fields"]
                    if field["name"] in answers
                ],
            }
        )
    return render(
        request,
        "modules/finished.html",
        {"item": item, "version": version, "exercises": exercises},
    )


@require_POST
@role_required(Role.PATIENT)
def exercise_discuss(request: AuthenticatedHttpRequest, slug: str, key: str) -> HttpResponse:
    """Mark a finished exercise as one to talk about in session, or take the mark off."""
    programme, item = programme_item_for_patient(
        patient=request.user, slug=slug, include_ended=True
    )
    if _treatment_ended(request, programme):
        return redirect("modules:finished", slug=slug)
    assignment = item.assignment
    if (
        assignment.version is None
        or exercise_definition(version=assignment.version, key=key) is None
    ):
        raise Http404("No such exercise.")
    response = exercise_response_for_patient(assignment=assignment, exercise_key=key)
    if response is None:
        raise Http404("No answers to talk about yet.")
    wanted = request.POST.get("wanted") == "yes"
    try:
        exercise_discussion_set(response=response, wanted=wanted)
    except ProgrammeRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Your therapist will see that you would like to talk about this at your next session."
            if wanted
            else "Done. This is no longer marked to talk about.",
        )
    if assignment.completed_at is not None:
        return redirect("modules:finished", slug=slug)
    return redirect("modules:module", slug=slug)
