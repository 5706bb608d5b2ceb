"""The console's programme section (/service/programme/): the service's modules, mandatory or
optional, their order, when each opens, whether PWPs may waive, adding and retiring modules, and
a preview of any module as the patient sees it.

Every change is shown first with the number of patients in treatment it will change (a confirm
step), then saved through ``modules.services.programme_change_apply`` by the rule written in
``modules/services/programme.py``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from care.models import Service
from console.access import service_admin_required
from console.selectors import ProgrammeRow, programme_entry_get, programme_rows
from modules.exercises import field_views
from modules.models import Module, UnlockRule
from modules.rendering import markdown_render
from modules.selectors import module_get_for_preview, programme_settings_get
from modules.services import (
    EntryRules,
    Inclusion,
    ProgrammeCountChanged,
    ProgrammeImpact,
    ProgrammeRuleError,
    programme_change_apply,
    programme_change_preview,
    programme_default_create,
    programme_entry_move,
    programme_settings_update,
)
from modules.views import steps_of

# The rule, as the page and the README state it.
RULE = (
    "A change reaches every patient in treatment who has not started the module. Work a "
    "patient has started or finished is never removed or changed. A module their PWP waived "
    "or added for them keeps the PWP's choice. A change of order applies to patients who "
    "start from now on."
)


def _service(request: HttpRequest) -> Service:
    service: Service = request.console_service  # type: ignore[attr-defined]
    return service


class EntryForm(forms.Form):
    inclusion = forms.ChoiceField(
        label="Is this module mandatory?", choices=Inclusion.CHOICES, widget=forms.RadioSelect
    )
    unlock_rule = forms.ChoiceField(
        label="When does it open?", choices=UnlockRule.choices, widget=forms.RadioSelect
    )
    waivable = forms.BooleanField(
        label="PWPs may waive this module for one patient, with a reason",
        required=False,
        help_text="Only for a mandatory module, and only while PWPs may waive at all (below the "
        "programme). It applies to waivers from now on.",
    )
    unlock_session = forms.IntegerField(
        label="Session number (for “after session N”)",
        required=False,
        min_value=1,
        max_value=50,
        help_text="Leave empty unless the module opens after a session.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned["unlock_rule"] != UnlockRule.AFTER_SESSION:
            cleaned["unlock_session"] = None
        elif cleaned.get("unlock_session") is None:
            self.add_error("unlock_session", "Give the session after which the module opens.")
        return cleaned

    def rules(self) -> EntryRules:
        return EntryRules(
            inclusion=self.cleaned_data["inclusion"],
            unlock_rule=self.cleaned_data["unlock_rule"],
            unlock_session=self.cleaned_data["unlock_session"],
            waivable=self.cleaned_data["waivable"],
        )


@service_admin_required
@require_http_methods(["GET", "POST"])
def programme(request: HttpRequest) -> HttpResponse:
    service = _service(request)
    settings = programme_settings_get(service=service)
    if request.method == "POST":
        waive = request.POST.get("pwps_may_waive") == "on"
        programme_settings_update(
            by=request.user,  # type: ignore[arg-type]
            service=service,
            pwps_may_waive=waive,
            request=request,
        )
        messages.success(
            request,
            "PWPs may now waive mandatory modules, with a reason."
            if waive
            else "PWPs can no longer waive mandatory modules. Waivers already made stay.",
        )
        return redirect("console:programme")
    # A service that has not set its programme yet shows the default one it would start with.
    programme_default_create(service=service)
    rows, library = programme_rows(service=service)
    return render(
        request,
        "console/programme.html",
        {
            "service": service,
            "rows": rows,
            "library": library,
            "settings": settings,
            "rule": RULE,
            "positions": range(1, len(rows) + 1),
        },
    )


def _row(service: Service, slug: str) -> tuple[Module, ProgrammeRow | None]:
    rows, library = programme_rows(service=service)
    for row in rows:
        if row.module.slug == slug:
            return row.module, row
    for module in library:
        if module.slug == slug:
            return module, None
    raise Http404("No such module.")


def _confirm_page(
    request: HttpRequest,
    *,
    module: Module,
    row: ProgrammeRow | None,
    after: EntryRules | None,
    impact: ProgrammeImpact,
    error: str = "",
) -> HttpResponse:
    return render(
        request,
        "console/programme_confirm.html",
        {
            "module": module,
            "row": row,
            "after": after,
            "after_label": Inclusion.LABELS[after.inclusion] if after is not None else "",
            "opens": dict(UnlockRule.choices)[after.unlock_rule] if after is not None else "",
            "impact": impact,
            "error": error,
            "rule": RULE,
        },
        status=409 if error else 200,
    )


@service_admin_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, slug: str) -> HttpResponse:
    """Change a module's place in the programme (or add it from the library): the form, then a
    confirm step that says how many patients in treatment it changes, then the change."""
    service = _service(request)
    module, row = _row(service, slug)
    initial = (
        {
            "inclusion": row.inclusion,
            "unlock_rule": row.entry.unlock_rule,
            "waivable": row.entry.pwps_may_waive,
        }
        | ({"unlock_session": row.entry.unlock_session} if row.entry.unlock_session else {})
        if row is not None
        else {
            "inclusion": Inclusion.OPTIONAL,
            "unlock_rule": UnlockRule.FROM_START,
            "waivable": True,
        }
    )
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        after = form.rules()
        try:
            if "confirm" not in request.POST:
                impact = programme_change_preview(service=service, module=module, after=after)
                return _confirm_page(request, module=module, row=row, after=after, impact=impact)
            impact = programme_change_apply(
                by=request.user,  # type: ignore[arg-type]
                service=service,
                module=module,
                after=after,
                expected_count=_expected(request),
                request=request,
            )
        except ProgrammeCountChanged as error:
            impact = programme_change_preview(service=service, module=module, after=after)
            return _confirm_page(
                request, module=module, row=row, after=after, impact=impact, error=str(error)
            )
        except ProgrammeRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Saved “{_title(module)}”. {_changed_words(impact.count)}",
            )
            return redirect("console:programme")
    return render(
        request,
        "console/programme_entry.html",
        {"module": module, "row": row, "form": form, "rule": RULE},
        status=400 if form.errors else 200,
    )


def _title(module: Module) -> str:
    return module.latest_version.title if module.latest_version is not None else module.slug


def _expected(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("expected_count", ""))
    except ValueError:
        return None


def _changed_words(count: int) -> str:
    if count == 0:
        return "No patient in treatment was changed."
    if count == 1:
        return "1 patient's programme was changed."
    return f"{count} patients' programmes were changed."


@service_admin_required
@require_POST
def retire(request: HttpRequest, slug: str) -> HttpResponse:
    """Take a module out of the programme: confirm (with the count), then retire it."""
    service = _service(request)
    module, row = _row(service, slug)
    if row is None:
        raise Http404("That module is not in the programme.")
    try:
        if "confirm" not in request.POST:
            impact = programme_change_preview(service=service, module=module, after=None)
            return _confirm_page(request, module=module, row=row, after=None, impact=impact)
        impact = programme_change_apply(
            by=request.user,  # type: ignore[arg-type]
            service=service,
            module=module,
            after=None,
            expected_count=_expected(request),
            request=request,
        )
    except ProgrammeRuleError as error:
        impact = programme_change_preview(service=service, module=module, after=None)
        return _confirm_page(
            request, module=module, row=row, after=None, impact=impact, error=str(error)
        )
    messages.success(
        request,
        f"Retired “{_title(module)}”. {_changed_words(impact.count)}",
    )
    return redirect("console:programme")


@service_admin_required
@require_POST
def move(request: HttpRequest, entry_id: int) -> HttpResponse:
    service = _service(request)
    # Another service's entry is "no such entry", as one that does not exist.
    programme_entry_get(service=service, entry_id=entry_id)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        messages.error(request, "Choose a place in the programme.")
        return redirect("console:programme")
    try:
        programme_entry_move(
            by=request.user,  # type: ignore[arg-type]
            service=service,
            entry_id=entry_id,
            position=position,
            request=request,
        )
    except ProgrammeRuleError as error:
        messages.error(request, str(error))
        return redirect("console:programme")
    messages.success(request, "Order saved. It applies to patients who start from now on.")
    return redirect("console:programme")


@service_admin_required
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Any module in the library exactly as a patient sees it, page by page. Read only: nothing
    is recorded, and the exercise fields cannot be filled in."""
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
    }
    if step <= len(version.pages):
        page = version.pages[step - 1]
        context.update(page=page, body=markdown_render(page["body"]))
    else:
        exercise = version.exercises[step - len(version.pages) - 1]
        context.update(exercise=exercise, fields=field_views(exercise, answers={}))
    return render(request, "console/programme_preview.html", context)
