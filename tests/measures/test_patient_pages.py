"""The patient's questionnaire pages: list, answer without JavaScript, signposting."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from measures.models import QuestionnaireResponse
from measures.services import questionnaire_response_record
from safety.models import RiskFlag
from tests.measures.conftest import reschedule


def phq9_form(values: list[int]) -> dict[str, str]:
    return {f"q{number}": str(value) for number, value in enumerate(values, start=1)}


def test_list_shows_what_is_due(patient_client, episode) -> None:
    reschedule(episode, next_number=2)
    page = patient_client.get(reverse("measures:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "To do before session 2" in html
    assert "Patient Health Questionnaire (PHQ-9)" in html
    assert "Generalised Anxiety Disorder Assessment (GAD-7)" in html


def test_wsas_is_not_offered_until_its_wording_is_loaded(patient_client, wsas_file) -> None:
    from django.core.management import call_command

    assert patient_client.get("/questionnaires/wsas/").status_code == 404
    assert "/questionnaires/wsas/" not in patient_client.get("/questionnaires/").content.decode()
    call_command("load_licensed_instrument", "wsas", str(wsas_file))
    page = patient_client.get("/questionnaires/wsas/")
    assert page.status_code == 200
    assert "Relationships test" in page.content.decode()
    assert "Very severely" in page.content.decode()


def test_form_shows_every_question_with_the_standard_stem_and_answers(patient_client) -> None:
    html = patient_client.get("/questionnaires/phq9/").content.decode()
    assert (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
        in html
    )
    assert html.count('type="radio"') == 9 * 4
    for label in ("Not at all", "Several days", "More than half the days", "Nearly every day"):
        assert label in html
    assert "Thoughts that you would be better off dead" in html
    assert "Question 9 of 9" in html


def test_answering_in_the_browser_stores_the_score(patient_client, patient) -> None:
    response = patient_client.post("/questionnaires/phq9/", phq9_form([1, 1, 1, 1, 1, 1, 1, 1, 0]))
    stored = QuestionnaireResponse.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("measures:response", args=[stored.pk])
    assert (stored.patient, stored.total, stored.severity) == (patient, 8, "Mild")
    page = patient_client.get(response["Location"]).content.decode()
    assert "Thank you" in page
    assert "8 out of 27" in page
    assert "Samaritans" not in page.split("<footer")[0]


def test_missing_answers_show_an_error_and_keep_the_others(patient_client) -> None:
    data = phq9_form([2, 2, 2, 2, 2, 2, 2, 2, 0])
    del data["q4"]
    page = patient_client.post("/questionnaires/phq9/", data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Choose an answer for question 4" in html
    assert 'href="#q4-0"' in html
    assert 'id="q1-2" name="q1" type="radio" value="2" checked' in html
    assert not QuestionnaireResponse.objects.exists()


def test_a_forged_out_of_range_answer_is_refused(patient_client) -> None:
    data = phq9_form([0] * 8 + [7])
    assert patient_client.post("/questionnaires/phq9/", data).status_code == 200
    assert not QuestionnaireResponse.objects.exists()


def test_question_nine_shows_crisis_signposting_at_once(patient_client, pwp) -> None:
    response = patient_client.post("/questionnaires/phq9/", phq9_form([0] * 8 + [1]), follow=True)
    html = response.content.decode()
    main = html.split("<footer")[0]
    assert 'id="crisis-signposting"' in main
    assert "116 123" in main
    assert "111" in main
    assert "999" in main
    assert "A&amp;E" in main
    assert "not monitored in real time" in main
    assert RiskFlag.objects.get().pwp == pwp


def test_signposting_stays_on_the_page_after_a_reload(patient_client) -> None:
    response = patient_client.post("/questionnaires/phq9/", phq9_form([0] * 8 + [2]))
    again = patient_client.get(response["Location"]).content.decode()
    assert 'id="crisis-signposting"' in again


def test_another_patients_response_is_404(patient_client, other_patient, other_episode) -> None:
    theirs = questionnaire_response_record(
        patient=other_patient, instrument_code="gad7", answers=[0] * 7
    )
    assert patient_client.get(reverse("measures:response", args=[theirs.pk])).status_code == 404


def test_unknown_questionnaire_is_404(patient_client) -> None:
    assert patient_client.get("/questionnaires/bdi/").status_code == 404
    assert patient_client.get("/questionnaires/alliance-check-pwp/").status_code == 404


def test_the_alliance_check_says_it_is_not_validated(patient_client) -> None:
    html = patient_client.get("/questionnaires/alliance-check/").content.decode()
    assert "not a validated questionnaire" in html
    text = strip_tags(html).lower()
    assert "weak" not in text
    assert "strong" not in text


def test_anonymous_is_sent_to_sign_in() -> None:
    for path in ("/questionnaires/", "/questionnaires/phq9/", "/questionnaires/responses/1/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["pwp_client", "navigator_client", "service_admin_client"])
def test_staff_get_403_on_patient_questionnaire_pages(request, persona) -> None:
    client = request.getfixturevalue(persona)
    assert client.get("/questionnaires/").status_code == 403
    assert client.post("/questionnaires/phq9/", phq9_form([0] * 9)).status_code == 403
    assert not QuestionnaireResponse.objects.exists()


def test_list_page_runs_a_constant_number_of_queries(
    patient_client, patient, django_assert_max_num_queries
) -> None:
    for _ in range(12):
        questionnaire_response_record(patient=patient, instrument_code="gad7", answers=[1] * 7)
    with django_assert_max_num_queries(12):
        assert patient_client.get("/questionnaires/").status_code == 200
