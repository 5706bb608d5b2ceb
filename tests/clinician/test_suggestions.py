"""Add-on modules suggested from the measures: each rule, in words; accepted with the rule as
the recorded reason; dismissed until the questionnaire is answered again; never added alone."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from care.models import AuditEvent
from clinician.models import SuggestionDismissal
from clinician.suggestions import suggestions_for_episode
from measures.definitions import DefinitionError
from measures.services import questionnaire_response_record
from measures.suggestions import _rule_from_data, suggestion_rules
from modules.models import Assignment, AssignmentChange


def _answer(episode, code: str, answers: list, days_ago: int = 0) -> None:
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago)):
        questionnaire_response_record(
            patient=episode.patient, instrument_code=code, answers=answers
        )


def _offer_only(episode, *slugs: str) -> None:
    """Take these modules out of the programme, as a service that offers its add-ons does."""
    Assignment.objects.filter(episode=episode, module__slug__in=slugs).update(active=False)


def _texts(episode) -> list[str]:
    return [suggestion.text for suggestion in suggestions_for_episode(episode=episode)]


def test_gad7_at_caseness_suggests_managing_worry_in_plain_words(episode) -> None:
    _offer_only(episode, "managing-worry")
    _answer(episode, "gad7", [3, 2, 2, 2, 2, 2, 2], days_ago=14)  # 15
    _answer(episode, "gad7", [2, 2, 2, 1, 1, 1, 1])  # 10
    assert _texts(episode) == ["GAD-7 was 15 and 10: consider Managing worry with worry time"]


def test_gad7_below_caseness_suggests_nothing(episode) -> None:
    _offer_only(episode, "managing-worry")
    _answer(episode, "gad7", [3, 2, 2, 2, 2, 2, 2], days_ago=14)
    _answer(episode, "gad7", [1, 1, 1, 1, 1, 1, 1])  # 7, below 8
    assert _texts(episode) == []


def test_a_poor_sleep_answer_suggests_the_sleep_module(episode) -> None:
    _offer_only(episode, "better-sleep")
    _answer(episode, "phq9", [0, 0, 2, 0, 0, 0, 0, 0, 0])
    assert _texts(episode) == ["PHQ-9: sleep 2 of 3: consider Sleeping better"]


def test_a_wsas_domain_of_four_suggests_stress_even_with_work_not_applicable(episode) -> None:
    _offer_only(episode, "stress-and-tension")
    _answer(episode, "wsas", [None, 1, 5, 0, 2])
    [text] = _texts(episode)
    assert text.startswith("WSAS: social leisure 5 of 8: consider ")


def test_a_wsas_domain_below_four_suggests_nothing(episode) -> None:
    _offer_only(episode, "stress-and-tension")
    _answer(episode, "wsas", [3, 3, 3, 3, 3])
    assert _texts(episode) == []


def test_a_phobia_item_of_four_suggests_the_panic_module(episode) -> None:
    _answer(episode, "phobia", [0, 6, 2])
    assert _texts(episode) == [
        "Phobia scales: panic situations 6 of 8: consider Panic and the body's alarm"
    ]


def test_a_module_already_in_the_programme_is_not_suggested(episode) -> None:
    # The default programme gives everyone Managing worry as an optional module.
    _answer(episode, "gad7", [3, 3, 3, 3, 3, 3, 3])
    assert _texts(episode) == []


def test_nothing_is_ever_added_without_the_pwp(episode) -> None:
    _offer_only(episode, "managing-worry")
    _answer(episode, "gad7", [3, 3, 3, 3, 3, 3, 3])
    assert not Assignment.objects.filter(
        episode=episode, module__slug="managing-worry", active=True
    ).exists()


def test_the_rules_file_is_versioned_and_a_bad_rule_fails_loudly() -> None:
    assert suggestion_rules().version == "add-ons-1"
    with pytest.raises(DefinitionError, match="needs total_at_least or item_at_least"):
        _rule_from_data({"code": "x", "instrument": "gad7", "module": "managing-worry"})
    with pytest.raises(DefinitionError, match="has no caseness"):
        _rule_from_data(
            {"code": "x", "instrument": "wsas", "total_at_least": "caseness", "module": "m"}
        )


def test_pwp_accepts_a_suggestion_and_the_rule_is_the_recorded_reason(pwp_client, episode) -> None:
    _offer_only(episode, "managing-worry")
    _answer(episode, "gad7", [3, 2, 2, 2, 2, 2, 2])
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "GAD-7 was 15: consider Managing worry with worry time" in page
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/suggestions/",
        {"rule": "gad7-caseness", "action": "accept"},
    )
    assert response.status_code == 302
    change = AssignmentChange.objects.get(assignment__module__slug="managing-worry")
    assert change.reason == (
        "Your questionnaire answers suggested this might help "
        "(GAD-7 was 15; rule gad7-caseness, add-ons-1)."
    )
    assert change.assignment.active
    assert AuditEvent.objects.filter(action="modules.assignment.added").exists()
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "consider Managing worry" not in page


def test_dismissing_hides_the_suggestion_until_the_questionnaire_is_answered_again(
    pwp_client, episode
) -> None:
    _offer_only(episode, "managing-worry")
    _answer(episode, "gad7", [3, 2, 2, 2, 2, 2, 2], days_ago=3)
    url = f"/clinician/patients/{episode.patient_id}/suggestions/"
    pwp_client.post(url, {"rule": "gad7-caseness", "action": "dismiss"})
    assert SuggestionDismissal.objects.filter(episode=episode).count() == 1
    assert AuditEvent.objects.filter(action="suggestion.dismiss").count() == 1
    assert _texts(episode) == []
    assert not Assignment.objects.filter(
        episode=episode, module__slug="managing-worry", active=True
    ).exists()
    _answer(episode, "gad7", [2, 2, 2, 2, 2, 2, 2])
    assert _texts(episode) == ["GAD-7 was 15 and 14: consider Managing worry with worry time"]


def test_a_suggestion_that_no_longer_applies_is_refused_with_a_reason(pwp_client, episode) -> None:
    response = pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/suggestions/",
        {"rule": "gad7-caseness", "action": "accept"},
        follow=True,
    )
    assert "That suggestion no longer applies" in response.content.decode()


def test_other_pwp_cannot_accept_a_suggestion(other_pwp_client, episode) -> None:
    _offer_only(episode, "managing-worry")
    _answer(episode, "gad7", [3, 3, 3, 3, 3, 3, 3])
    response = other_pwp_client.post(
        f"/clinician/patients/{episode.patient_id}/suggestions/",
        {"rule": "gad7-caseness", "action": "accept"},
    )
    assert response.status_code == 404
    assert not AssignmentChange.objects.exists()


def test_choose_together_marks_the_suggested_module(pwp_client, episode) -> None:
    _offer_only(episode, "managing-worry")
    _answer(episode, "gad7", [3, 3, 3, 3, 3, 3, 3])
    page = pwp_client.get(
        f"/clinician/patients/{episode.patient_id}/sessions/2/record/"
    ).content.decode()
    assert "Suggested</strong> GAD-7 was 21: consider Managing worry with worry time" in page
