"""Staff pages: risk flags, a patient's outcomes and alliance, and the PWP's alliance rating.

Every page reads patient data through a scoped selector (another PWP's patient is a 404) and
writes an audit event. Navigators and patients get 403: they never see answers or flags.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from care.history import earlier_versions
from care.risk import (
    RiskFlagAlreadyClosed,
    open_risk_flags_for_episodes,
    risk_flag_close,
    risk_flag_get_for_staff,
    risk_flags_open_for_staff,
    risk_flags_with_failed_alerts,
)
from care.selectors import episode_get_for_staff
from care.services import audit_event_record
from measures.alliance import alliance_for_episode
from measures.definitions import ALLIANCE_CHECK_PWP, instrument_definition, outcome_rules
from measures.forms import FlagCloseForm, QuestionnaireForm
from measures.outcomes import episode_outcomes
from measures.selectors import score_history_for_episode
from measures.services import alliance_rating_record


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def flag_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = request.user
    flags = list(risk_flags_open_for_staff(staff=staff))
    failed = risk_flags_with_failed_alerts(flag_ids=[flag.pk for flag in flags])
    for flag in flags:
        flag.alert_failed = flag.pk in failed  # type: ignore[attr-defined]
    audit_event_record(
        actor=staff, action="risk_flag.list", request=request, detail={"open": len(flags)}
    )
    return render(request, "measures/flag_list.html", {"flags": flags})


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def flag_detail(request: AuthenticatedHttpRequest, flag_id: int) -> HttpResponse:
    staff = request.user
    flag = risk_flag_get_for_staff(staff=staff, flag_id=flag_id)
    form = FlagCloseForm(request.POST or None)
    status = 200
    if request.method == "POST" and flag.is_open and form.is_valid():
        try:
            risk_flag_close(flag=flag, by=staff, note=form.cleaned_data["note"], request=request)
        except RiskFlagAlreadyClosed:
            messages.info(request, "Someone else closed this flag while you were writing.")
            return redirect("measures:flag-detail", flag_id=flag.pk)
        except ValidationError as error:
            form.add_error("note", error.messages[0])
        else:
            messages.success(request, "Flag closed. Your note is saved with it.")
            return redirect("measures:flags")
    if request.method == "POST":
        status = 400 if flag.is_open else 409
    else:
        audit_event_record(
            actor=staff, action="risk_flag.view", patient=flag.patient, target=flag, request=request
        )
    source = flag.source_response
    question = answer = None
    if source is not None and source.instrument_code == "phq9":
        phq9 = instrument_definition("phq9")
        question = phq9.items[8]
        labels = {option.value: option.label for option in phq9.options}
        answer = labels.get(source.answers[8])
    return render(
        request,
        "measures/flag_detail.html",
        {
            "flag": flag,
            "form": form,
            "source": source,
            "question": question,
            "answer": answer,
            "note_versions": earlier_versions(instance=flag, fields=("review_note",)),
            "alert_failed": bool(risk_flags_with_failed_alerts(flag_ids=[flag.pk])),
        },
        status=status,
    )


@role_required(Role.PWP, Role.SERVICE_ADMIN)
def patient_outcomes(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    staff = request.user
    episode = episode_get_for_staff(staff=staff, patient_id=patient_id)
    audit_event_record(
        actor=staff,
        action="measures.outcomes.view",
        patient=episode.patient,
        target=episode,
        request=request,
    )
    outcome = episode_outcomes(episode_ids=[episode.pk])[episode.pk]
    rules = outcome_rules()
    return render(
        request,
        "measures/patient_outcomes.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "outcome": outcome,
            "rules": rules,
            "thresholds": [
                {
                    "name": instrument.short_name,
                    "caseness": instrument.caseness_at_least,
                    "reliable_change": instrument.reliable_change,
                    "first": outcome.first.get(instrument.code),
                    "last": outcome.last.get(instrument.code),
                }
                for instrument in rules.instruments
            ],
            "history": score_history_for_episode(episode=episode),
            "alliance": alliance_for_episode(episode=episode),
            "open_flags": open_risk_flags_for_episodes(episode_ids=[episode.pk])[episode.pk],
            "can_rate_alliance": episode.pwp_id == staff.pk,
        },
    )


@role_required(Role.PWP)
def alliance_rate(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    staff = request.user
    episode = episode_get_for_staff(staff=staff, patient_id=patient_id)
    instrument = instrument_definition(ALLIANCE_CHECK_PWP)
    form = QuestionnaireForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        alliance_rating_record(pwp=staff, episode=episode, answers=form.answers(), request=request)
        messages.success(request, "Your alliance rating is saved.")
        return redirect("measures:patient-outcomes", patient_id=episode.patient_id)
    # The page names the patient: a staff read, audited per page shown (the saved rating is
    # audited by the service).
    audit_event_record(
        actor=staff,
        action="measures.alliance.view",
        patient=episode.patient,
        target=episode,
        request=request,
    )
    return render(
        request,
        "measures/alliance_rate.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "instrument": instrument,
            "form": form,
            "questions": form.questions(),
        },
    )
