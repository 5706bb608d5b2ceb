"""WSAS work answered "not applicable" (retired or not in work), and the IAPT Phobia Scales."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from measures.definitions import DefinitionError, _instrument_from_data, instrument_definition
from measures.forms import NOT_APPLICABLE_VALUE, QuestionnaireForm
from measures.models import MeasuresConfiguration, QuestionnaireResponse
from measures.scoring import AnswerError, score
from measures.services import questionnaire_response_record


def test_wsas_work_not_applicable_totals_the_answered_items() -> None:
    wsas = instrument_definition("wsas")
    result = score(wsas, [None, 4, 5, 2, 1])
    assert result.total == 12
    assert result.severity == "Significant functional impairment"


def test_only_wsas_work_may_be_not_applicable() -> None:
    wsas = instrument_definition("wsas")
    with pytest.raises(AnswerError, match="Answer 2 is needed"):
        score(wsas, [1, None, 5, 2, 1])
    with pytest.raises(AnswerError, match="Answer 1 is needed"):
        score(instrument_definition("phq9"), [None, 0, 0, 0, 0, 0, 0, 0, 0])


def test_the_api_takes_null_for_wsas_work_and_stores_it(patient, episode) -> None:
    client = APIClient()
    client.force_authenticate(patient)
    response = client.post(
        "/api/v1/questionnaires/wsas/responses/",
        {"answers": [None, 2, 3, 0, 1]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"] == 6
    stored = QuestionnaireResponse.objects.get()
    assert stored.answers == [None, 2, 3, 0, 1]


def test_the_api_still_refuses_null_for_another_item(patient, episode) -> None:
    client = APIClient()
    client.force_authenticate(patient)
    response = client.post(
        "/api/v1/questionnaires/wsas/responses/", {"answers": [1, None, 3, 0, 1]}, format="json"
    )
    assert response.status_code == 400
    assert not QuestionnaireResponse.objects.exists()


def test_the_web_form_offers_not_applicable_for_work_only() -> None:
    wsas = instrument_definition("wsas").with_text(
        items=("Work", "Home", "Social", "Private", "Relationships"), option_labels=None, stem=""
    )
    form = QuestionnaireForm(
        data={"q1": NOT_APPLICABLE_VALUE, "q2": "3", "q3": "4", "q4": "0", "q5": "8"},
        instrument=wsas,
    )
    assert form.is_valid(), form.errors
    assert form.answers() == [None, 3, 4, 0, 8]
    labels = [option["label"] for option in form.questions()[0]["options"]]
    assert labels[-1] == "Not applicable: I am retired or not in work"
    assert all(option["value"] != NOT_APPLICABLE_VALUE for option in form.questions()[1]["options"])
    refused = QuestionnaireForm(
        data={"q1": "1", "q2": NOT_APPLICABLE_VALUE, "q3": "4", "q4": "0", "q5": "8"},
        instrument=wsas,
    )
    assert not refused.is_valid()


def test_the_brief_shows_work_as_not_applicable(pwp_client, episode) -> None:
    questionnaire_response_record(
        patient=episode.patient, instrument_code="wsas", answers=[None, 2, 3, 0, 1]
    )
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "6 of 32 (work: not applicable)" in page


def test_phobia_scales_score_each_item_and_carry_no_bands_or_caseness() -> None:
    phobia = instrument_definition("phobia")
    assert phobia.item_count == 3
    assert "Open Government Licence" in phobia.licence
    result = score(phobia, [4, 0, 8])
    assert result.total == 12
    assert result.severity is None
    assert phobia.is_case(24) is None
    with pytest.raises(AnswerError, match="Answer 2 must be from 0 to 8"):
        score(phobia, [0, 9, 0])
    with pytest.raises(AnswerError, match="3 questions; 2 answers"):
        score(phobia, [0, 1])


def test_a_service_can_schedule_the_phobia_scales(service) -> None:
    configuration = MeasuresConfiguration(service=service, session_instruments=["phq9", "phobia"])
    configuration.clean()


def test_a_not_applicable_item_outside_the_instrument_fails_loudly() -> None:
    data = {
        "code": "x",
        "version": "1",
        "name": "X",
        "short_name": "X",
        "purpose": "test",
        "respondent": "patient",
        "validated": False,
        "text_source": "shipped",
        "licence": "none",
        "options": [{"value": 0, "label": "0"}, {"value": 1, "label": "1"}],
        "items": ["One", "Two"],
        "not_applicable_items": [3],
        "codes": {
            "panel": {"system": "s", "code": "x", "display": "X"},
            "total": [{"system": "s", "code": "x-total", "display": "X total"}],
        },
    }
    with pytest.raises(DefinitionError, match="'not applicable' names a missing item"):
        _instrument_from_data(data)
