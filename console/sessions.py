"""The console's sessions and measures section (/service/sessions/): the session plan, which
questionnaires are due before which session (a grid of checkboxes), the alliance sessions and
gap threshold, and the notification caps. Three forms on one page, each saved on its own."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from care.models import AppointmentKind, Service
from care.services import SessionPlanError, SessionPlanRow, session_plan_update
from console.access import service_admin_required
from measures.definitions import shipped_instruments
from measures.models import SESSION_INSTRUMENT_CHOICES, AllianceInstrument
from measures.selectors import configuration_for_service
from measures.services import measures_schedule_update
from notifications.models import caps_contradiction
from notifications.selectors import patients_above_weekly_cap
from notifications.services import (
    service_notification_caps_update,
    service_notification_policy_get,
)


def _service(request: HttpRequest) -> Service:
    service: Service = request.console_service  # type: ignore[attr-defined]
    return service


class MeasuresForm(forms.Form):
    alliance_instrument = forms.ChoiceField(
        label="Alliance questionnaire", choices=AllianceInstrument.choices
    )
    alliance_at_last_session = forms.BooleanField(
        label="Also ask about the alliance before the last session", required=False
    )
    alliance_gap_threshold = forms.DecimalField(
        label="Flag a gap between patient and PWP of at least",
        help_text="On the 1 to 5 scale of each part (goal, task, bond), for example 1.0.",
        min_value=Decimal("0.1"),
        max_value=Decimal("4"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "step": "0.1"}),
    )


class CapsForm(forms.Form):
    max_per_day = forms.IntegerField(
        label="Most messages a patient gets in a day",
        min_value=1,
        max_value=3,
        help_text="From 1 to 3. Several things due at once come as one message.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
    )
    max_per_week = forms.IntegerField(
        label="Most messages a patient gets in a week",
        min_value=1,
        max_value=14,
        help_text="From 1 to 14. A patient may choose fewer; their choice is kept either way.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "max_per_day" in cleaned and "max_per_week" in cleaned:
            problem = caps_contradiction(
                max_per_day=cleaned["max_per_day"], max_per_week=cleaned["max_per_week"]
            )
            if problem:
                self.add_error("max_per_day", problem)
        return cleaned


@dataclass
class PlanRow:
    """A session as the page shows it: what is saved, or what the admin typed."""

    key: str
    number: int | None
    kind: str
    minutes: str
    days: str
    remove: bool = False


def _saved_plan(service: Service) -> list[PlanRow]:
    return [
        PlanRow(
            key=str(entry.number),
            number=entry.number,
            kind=entry.kind,
            minutes=str(entry.default_minutes),
            days=str(entry.days_after_start),
        )
        for entry in service.session_plan.order_by("number")
    ]


def _grid(service: Service, posted: Any = None) -> list[dict[str, Any]]:
    """Each session of the plan with its ticks: as saved, or as the admin just sent them."""
    configuration = configuration_for_service(service=service)
    alliance = set(configuration.alliance_sessions)
    numbers = service.session_plan.order_by("number").values_list("number", flat=True)
    if posted is not None:
        return [
            {
                "number": number,
                "due": {
                    code for code in SESSION_INSTRUMENT_CHOICES if f"due-{number}-{code}" in posted
                },
                "alliance": f"alliance-{number}" in posted,
            }
            for number in numbers
        ]
    return [
        {
            "number": number,
            "due": set(configuration.instruments_before(number)),
            "alliance": number in alliance,
        }
        for number in numbers
    ]


# Length: the page's context gathers three forms and the grid; each piece is one line.
def _page(
    request: HttpRequest,
    *,
    plan: list[PlanRow] | None = None,
    plan_error: str = "",
    measures_form: MeasuresForm | None = None,
    grid_error: str = "",
    caps_form: CapsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    service = _service(request)
    configuration = configuration_for_service(service=service)
    policy = service_notification_policy_get(service=service)
    instruments = shipped_instruments()
    return render(
        request,
        "console/sessions.html",
        {
            "service": service,
            "plan": plan if plan is not None else _saved_plan(service),
            "new_row": _new_row(request) if plan is not None else PlanRow("new", None, "", "", ""),
            "plan_error": plan_error,
            "kinds": AppointmentKind.choices,
            "grid": _grid(service, request.POST if measures_form is not None else None),
            "grid_error": grid_error,
            "columns": [
                (code, instruments[code].short_name) for code in SESSION_INSTRUMENT_CHOICES
            ],
            "measures_form": measures_form
            or MeasuresForm(
                initial={
                    "alliance_instrument": configuration.alliance_instrument,
                    "alliance_at_last_session": configuration.alliance_at_last_session,
                    "alliance_gap_threshold": configuration.alliance_gap_threshold,
                }
            ),
            "caps_form": caps_form
            or CapsForm(
                initial={"max_per_day": policy.max_per_day, "max_per_week": policy.max_per_week}
            ),
            "above_cap": patients_above_weekly_cap(
                service=service, max_per_week=policy.max_per_week
            ),
            "policy": policy,
        },
        status=status,
    )


@service_admin_required
def sessions(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _new_row(request: HttpRequest) -> PlanRow:
    return PlanRow(
        key="new",
        number=None,
        kind=request.POST.get("kind-new", ""),
        minutes=request.POST.get("minutes-new", ""),
        days=request.POST.get("days-new", ""),
    )


def _posted_plan(request: HttpRequest, service: Service) -> list[PlanRow]:
    return [
        PlanRow(
            key=row.key,
            number=row.number,
            kind=request.POST.get(f"kind-{row.key}", ""),
            minutes=request.POST.get(f"minutes-{row.key}", "").strip(),
            days=request.POST.get(f"days-{row.key}", "").strip(),
            remove=request.POST.get(f"remove-{row.key}") == "on",
        )
        for row in _saved_plan(service)
    ]


def _as_rows(posted: list[PlanRow], new: PlanRow) -> list[SessionPlanRow]:
    """The rows to save, in order; raises ``SessionPlanError`` for a value that is not a
    number, naming the session."""
    wanted = [row for row in posted if not row.remove]
    if new.days or new.minutes or new.kind:
        wanted.append(new)
    rows = []
    for row in wanted:
        label = f"Session {row.number}" if row.number is not None else "The new session"
        if not row.minutes.isdigit() or not row.days.isdigit():
            raise SessionPlanError(
                f"{label}: give the length in minutes and the days after the start as whole "
                "numbers, for example 30 and 7."
            )
        if row.kind not in AppointmentKind.values:
            raise SessionPlanError(f"{label}: choose face to face or online.")
        rows.append(SessionPlanRow(row.kind, int(row.minutes), int(row.days)))
    return rows


@service_admin_required
@require_POST
def plan_save(request: HttpRequest) -> HttpResponse:
    service = _service(request)
    posted = _posted_plan(request, service)
    new = _new_row(request)
    try:
        session_plan_update(
            service=service,
            rows=_as_rows(posted, new),
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except SessionPlanError as error:
        return _page(request, plan=posted, plan_error=str(error), status=400)
    messages.success(
        request,
        "Session plan saved. It applies to patients who start from now on; patients in "
        "treatment keep the appointments they have.",
    )
    return redirect("console:sessions")


@service_admin_required
@require_POST
def measures_save(request: HttpRequest) -> HttpResponse:
    service = _service(request)
    form = MeasuresForm(request.POST)
    if not form.is_valid():
        return _page(request, measures_form=form, status=400)
    numbers = list(service.session_plan.order_by("number").values_list("number", flat=True))
    schedule = {
        number: [
            code for code in SESSION_INSTRUMENT_CHOICES if f"due-{number}-{code}" in request.POST
        ]
        for number in numbers
    }
    alliance = [number for number in numbers if f"alliance-{number}" in request.POST]
    try:
        measures_schedule_update(
            service=service,
            schedule=schedule,
            alliance_instrument=form.cleaned_data["alliance_instrument"],
            alliance_sessions=alliance,
            alliance_at_last_session=form.cleaned_data["alliance_at_last_session"],
            alliance_gap_threshold=form.cleaned_data["alliance_gap_threshold"],
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except ValidationError as error:
        return _page(request, measures_form=form, grid_error=" ".join(error.messages), status=400)
    messages.success(request, "Questionnaires and alliance saved.")
    return redirect("console:sessions")


@service_admin_required
@require_POST
def caps_save(request: HttpRequest) -> HttpResponse:
    service = _service(request)
    form = CapsForm(request.POST)
    if not form.is_valid():
        return _page(request, caps_form=form, status=400)
    try:
        service_notification_caps_update(
            service=service,
            max_per_day=form.cleaned_data["max_per_day"],
            max_per_week=form.cleaned_data["max_per_week"],
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _page(request, caps_form=form, status=400)
    messages.success(request, "Notification caps saved.")
    return redirect("console:sessions")
