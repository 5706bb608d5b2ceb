"""Staff pages: risk flags, outcomes, alliance. Each with its denial paths and audit."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from care.models import AuditEvent, DutyQueueMember
from measures.models import QuestionnaireResponse
from measures.services import questionnaire_response_record
from safety.models import RiskFlag, RiskFlagStatus
from tests import factories
from tests.conftest import client_for
from tests.measures.conftest import reschedule

FLAGGED = [0, 0, 0, 0, 0, 0, 0, 0, 1]


@pytest.fixture
def flag(episode) -> RiskFlag:
    questionnaire_response_record(patient=episode.patient, instrument_code="phq9", answers=FLAGGED)
    return RiskFlag.objects.get()


# --- Flags --------------------------------------------------------------------------------


def test_pwp_sees_their_open_flag(pwp_client, flag) -> None:
    page = pwp_client.get(reverse("safety:flags"))
    assert page.status_code == 200
    html = page.content.decode()
    assert flag.patient.display_name in html
    assert reverse("safety:flag-detail", args=[flag.pk]) in html
    assert "1 open flag" in html


def test_viewing_a_flag_is_audited_and_shows_why(pwp_client, pwp, flag) -> None:
    page = pwp_client.get(reverse("safety:flag-detail", args=[flag.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thoughts that you would be better off dead" in html
    assert "Several days" in html
    assert "no automatic risk grade" in html.lower()
    event = AuditEvent.objects.get(action="risk_flag.view")
    assert (event.actor, event.patient, event.object_id) == (pwp, flag.patient, str(flag.pk))


def test_closing_with_a_note_closes_and_audits(pwp_client, pwp, flag) -> None:
    response = pwp_client.post(
        reverse("safety:flag-detail", args=[flag.pk]), {"note": "Phoned, safety plan agreed."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("safety:flags")
    flag.refresh_from_db()
    assert flag.status == RiskFlagStatus.CLOSED
    assert flag.reviewed_by == pwp
    assert flag.review_note == "Phoned, safety plan agreed."
    assert AuditEvent.objects.filter(action="risk_flag.close", actor=pwp).count() == 1
    assert "No open flags" in pwp_client.get(reverse("safety:flags")).content.decode()


def test_closing_without_a_note_is_refused(pwp_client, flag) -> None:
    response = pwp_client.post(reverse("safety:flag-detail", args=[flag.pk]), {"note": "  "})
    assert response.status_code == 400
    assert "Write what you did" in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == RiskFlagStatus.OPEN


def test_closing_a_closed_flag_is_409(pwp_client, flag) -> None:
    url = reverse("safety:flag-detail", args=[flag.pk])
    pwp_client.post(url, {"note": "Done."})
    assert pwp_client.post(url, {"note": "Again."}).status_code == 409
    flag.refresh_from_db()
    assert flag.review_note == "Done."


def test_other_pwp_gets_404_and_sees_no_flag(other_pwp_client, flag) -> None:
    url = reverse("safety:flag-detail", args=[flag.pk])
    assert other_pwp_client.get(url).status_code == 404
    assert other_pwp_client.post(url, {"note": "Not mine."}).status_code == 404
    assert (
        flag.patient.display_name
        not in other_pwp_client.get(reverse("safety:flags")).content.decode()
    )
    flag.refresh_from_db()
    assert flag.status == RiskFlagStatus.OPEN


def test_a_missing_flag_is_404_like_another_pwps(pwp_client) -> None:
    assert pwp_client.get(reverse("safety:flag-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["patient_client", "navigator_client"])
def test_patients_and_navigators_never_see_flags(request, persona, flag) -> None:
    client = request.getfixturevalue(persona)
    for url in (reverse("safety:flags"), reverse("safety:flag-detail", args=[flag.pk])):
        response = client.get(url)
        assert response.status_code == 403
        page = response.content.decode()
        assert "clinician review" not in page.lower()
        if persona == "navigator_client":
            assert flag.patient.display_name not in page


def test_anonymous_is_sent_to_sign_in(flag) -> None:
    for url in (
        reverse("safety:flags"),
        reverse("safety:flag-detail", args=[flag.pk]),
        reverse("measures:patient-outcomes", args=[flag.patient_id]),
        reverse("measures:alliance-rate", args=[flag.patient_id]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_service_admin_sees_the_duty_queue_not_the_pwps_own_flags(
    service_admin_client, flag, service, patient
) -> None:
    html = service_admin_client.get(reverse("safety:flags")).content.decode()
    assert "No open flags" in html
    waiting = factories.PatientFactory.create(
        service=service, first_name="Wren", last_name="Waiting"
    )
    factories.make_episode(patient=waiting, pwp=None, service=service)
    questionnaire_response_record(patient=waiting, instrument_code="phq9", answers=FLAGGED)
    html = service_admin_client.get(reverse("safety:flags")).content.decode()
    assert "Wren Waiting" in html
    assert "Duty queue (no PWP)" in html


def test_an_escalated_flag_shows_on_the_duty_queue(service_admin_client, flag) -> None:
    RiskFlag.objects.filter(pk=flag.pk).update(escalated_at=timezone.now())
    html = service_admin_client.get(reverse("safety:flags")).content.decode()
    assert flag.patient.display_name in html
    assert "Overdue" in html


def test_a_listed_duty_member_pwp_sees_the_duty_queue(
    service, other_pwp, other_pwp_client, flag
) -> None:
    DutyQueueMember.objects.create(service=service, staff=other_pwp)
    RiskFlag.objects.filter(pk=flag.pk).update(escalated_at=timezone.now())
    assert other_pwp_client.get(reverse("safety:flag-detail", args=[flag.pk])).status_code == 200


def test_an_admin_of_another_service_gets_404(flag) -> None:
    elsewhere = factories.ServiceAdminFactory.create(service=factories.ServiceFactory.create())
    RiskFlag.objects.filter(pk=flag.pk).update(escalated_at=timezone.now())
    assert (
        client_for(elsewhere).get(reverse("safety:flag-detail", args=[flag.pk])).status_code == 404
    )


def test_flag_list_runs_a_constant_number_of_queries(
    pwp_client, pwp, service, django_assert_max_num_queries
) -> None:
    for _ in range(8):
        patient = factories.PatientFactory.create(service=service)
        factories.make_episode(patient=patient, pwp=pwp, service=service)
        questionnaire_response_record(patient=patient, instrument_code="phq9", answers=FLAGGED)
    # Ten, and one more to count the open flags for the pages (the list comes 50 at a time).
    with django_assert_max_num_queries(11):
        assert pwp_client.get(reverse("safety:flags")).status_code == 200


# --- Outcomes -------------------------------------------------------------------------------


def answer_pair(patient, phq: list[int], gad: list[int], at) -> None:
    questionnaire_response_record(patient=patient, instrument_code="phq9", answers=phq, now=at)
    questionnaire_response_record(patient=patient, instrument_code="gad7", answers=gad, now=at)


def test_outcomes_page_shows_scores_and_outcome(pwp_client, pwp, episode) -> None:
    start = timezone.now() - datetime.timedelta(days=14)
    answer_pair(episode.patient, [2, 2, 2, 2, 2, 2, 2, 3, 0], [2, 2, 2, 2, 2, 2, 1], start)
    answer_pair(episode.patient, [1, 1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0, 0], timezone.now())
    page = pwp_client.get(reverse("measures:patient-outcomes", args=[episode.patient_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Outcome so far: Reliable recovery" in html
    assert "Moderately severe" in html  # the first PHQ-9 (17)
    assert "nhs-talking-therapies-1" in html
    event = AuditEvent.objects.get(action="measures.outcomes.view")
    assert (event.actor, event.patient) == (pwp, episode.patient)


def test_other_pwp_gets_404_on_outcomes_and_alliance(other_pwp_client, episode) -> None:
    assert (
        other_pwp_client.get(
            reverse("measures:patient-outcomes", args=[episode.patient_id])
        ).status_code
        == 404
    )
    assert (
        other_pwp_client.get(
            reverse("measures:alliance-rate", args=[episode.patient_id])
        ).status_code
        == 404
    )
    response = other_pwp_client.post(
        reverse("measures:alliance-rate", args=[episode.patient_id]),
        {"q1": "3", "q2": "3", "q3": "3", "q4": "3"},
    )
    assert response.status_code == 404
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.parametrize("persona", ["patient_client", "navigator_client"])
def test_patients_and_navigators_get_403_on_outcomes(request, persona, episode) -> None:
    client = request.getfixturevalue(persona)
    assert (
        client.get(reverse("measures:patient-outcomes", args=[episode.patient_id])).status_code
        == 403
    )
    assert (
        client.get(reverse("measures:alliance-rate", args=[episode.patient_id])).status_code == 403
    )


def test_service_admin_reads_outcomes_but_does_not_rate_the_alliance(
    service_admin_client, episode
) -> None:
    assert (
        service_admin_client.get(
            reverse("measures:patient-outcomes", args=[episode.patient_id])
        ).status_code
        == 200
    )
    assert (
        service_admin_client.get(
            reverse("measures:alliance-rate", args=[episode.patient_id])
        ).status_code
        == 403
    )


def test_outcomes_page_runs_a_constant_number_of_queries(
    pwp_client, episode, django_assert_max_num_queries
) -> None:
    for week in range(10):
        answer_pair(
            episode.patient, [1] * 9, [1] * 7, timezone.now() - datetime.timedelta(days=week)
        )
    with django_assert_max_num_queries(16):
        assert (
            pwp_client.get(
                reverse("measures:patient-outcomes", args=[episode.patient_id])
            ).status_code
            == 200
        )


# --- Alliance -----------------------------------------------------------------------------


def test_pwp_rates_the_alliance_and_sees_it_beside_the_patients_with_the_gap(
    pwp_client, pwp, episode
) -> None:
    reschedule(episode, next_number=3, days_ahead=0)
    questionnaire_response_record(
        patient=episode.patient, instrument_code="alliance-check", answers=[4, 2, 5, 4]
    )
    form = pwp_client.get(reverse("measures:alliance-rate", args=[episode.patient_id]))
    assert (
        "The patient and I agree on what they want to get out of treatment."
        in form.content.decode()
    )
    response = pwp_client.post(
        reverse("measures:alliance-rate", args=[episode.patient_id]),
        {"q1": "4", "q2": "4", "q3": "5", "q4": "4"},
    )
    assert response.status_code == 302
    rating = QuestionnaireResponse.objects.get(instrument_code="alliance-check-pwp")
    assert rating.respondent == pwp
    assert rating.patient == episode.patient
    assert rating.session_number == 3
    assert AuditEvent.objects.filter(action="alliance.rate", actor=pwp).exists()
    html = pwp_client.get(response["Location"]).content.decode()
    assert "Session 3" in html
    assert "Gap of -2" in html
    assert "Talk about this" in html


def test_alliance_rating_form_needs_every_answer(pwp_client, episode) -> None:
    response = pwp_client.post(
        reverse("measures:alliance-rate", args=[episode.patient_id]), {"q1": "4"}
    )
    assert response.status_code == 200
    assert "Choose an answer for question 2" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()
