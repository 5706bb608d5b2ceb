"""Staff pages: a patient's outcomes and alliance, and the PWP's alliance rating.

Every page reads patient data through a scoped selector (another PWP's patient is a 404) and
writes an audit event. Navigators and patients get 403: they never see answers or flags.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from care.selectors import episode_get_for_staff
from care.services import audit_event_record
from measures.alliance import alliance_for_episode
from measures.definitions import ALLIANCE_CHECK_PWP, instrument_definition, outcome_rules
from measures.forms import QuestionnaireForm
from measures.outcomes import episode_outcomes
from measures.selectors import score_history_for_episode
from measures.services import alliance_rating_record
from safety.selectors import open_risk_flags_for_episodes


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
