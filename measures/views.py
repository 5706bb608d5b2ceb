"""Patient pages: questionnaires that are due, answering one, and what happens next."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from measures.definitions import NEEDS_CLINICIAN_REVIEW, shipped_instruments
from measures.forms import QuestionnaireForm
from measures.selectors import (
    instruments_available,
    patient_instruments_available,
    questionnaire_response_get_for_patient,
    questionnaire_responses_for_patient,
    questionnaires_due_for_patient,
)
from measures.services import (
    TreatmentEnded,
    UnknownInstrument,
    patient_instrument,
    questionnaire_response_record,
)
from safety.signposting import crisis_signposting


@role_required(Role.PATIENT)
def questionnaire_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = request.user
    due = questionnaires_due_for_patient(patient=patient)
    due_codes = {item.instrument.code for item in due}
    others = [
        instrument
        for code, instrument in patient_instruments_available().items()
        if code not in due_codes
    ]
    recent = list(questionnaire_responses_for_patient(patient=patient)[:10])
    rows = [
        {
            "response": response,
            "name": getattr(
                shipped_instruments().get(response.instrument_code),
                "short_name",
                response.instrument_code,
            ),
        }
        for response in recent
    ]
    return render(
        request,
        "measures/questionnaire_list.html",
        {"due": due, "others": others, "recent": rows},
    )


@role_required(Role.PATIENT)
def questionnaire_answer(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        patient_instrument(code)
    except UnknownInstrument as error:
        raise Http404("No such questionnaire.") from error
    instrument = instruments_available(codes=[code]).get(code)
    if instrument is None:
        # Licensed wording not loaded yet: nothing to show the patient.
        raise Http404("This questionnaire is not available.")
    form = QuestionnaireForm(request.POST or None, instrument=instrument)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            response = questionnaire_response_record(
                patient=request.user,
                instrument_code=code,
                answers=form.answers(),
                request=request,
            )
        except TreatmentEnded as error:
            form.add_error(None, str(error))
            status = 409
        else:
            return redirect("measures:response", response_id=response.pk)
    return render(
        request,
        "measures/questionnaire_answer.html",
        {"instrument": instrument, "form": form, "questions": form.questions()},
        status=status,
    )


@role_required(Role.PATIENT)
def questionnaire_response(request: AuthenticatedHttpRequest, response_id: int) -> HttpResponse:
    response = questionnaire_response_get_for_patient(patient=request.user, response_id=response_id)
    instrument = instruments_available(codes=[response.instrument_code]).get(
        response.instrument_code
    )
    flagged = NEEDS_CLINICIAN_REVIEW in response.flags
    return render(
        request,
        "measures/questionnaire_response.html",
        {
            "response": response,
            "instrument": instrument,
            "flagged": flagged,
            "signposting": crisis_signposting() if flagged else None,
        },
    )
