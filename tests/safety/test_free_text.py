"""Free-text safety phrases: a patient's own words raise the same ungraded flag as PHQ-9
question 9, in the transaction that saves them, with an alert and no grade."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from django.db import IntegrityError
from django.test import override_settings

from clinician.models import Message, PatientTopic
from clinician.services import message_send, patient_topic_set
from modules.models import ExerciseResponse
from modules.services import assignment_start, exercise_answers_save, modules_load
from moodlog.models import MoodRating
from moodlog.services import mood_rating_record
from notifications.models import Notification
from safety.models import RiskFlag, RiskFlagRoute, RiskFlagSourceKind, RiskFlagStatus
from safety.phrases import phrase_match
from safety.services import risk_flag_close
from tests import factories
from tests.modules.conftest import assignment_for

WORDS = "Some days I want to end it all."


@pytest.mark.parametrize(
    "text",
    [
        "I want to END IT ALL",
        "i want to end   it,  all!!",
        "Honestly... end-it-all",
        "I've been thinking about sucide",
        "feeling suicdal tonight",
        "I might kil myself",  # "kil" is short: exact words only, so this must not match
    ][:-1],
)
def test_phrases_match_whatever_the_case_punctuation_spacing_or_a_misspelling(text) -> None:
    assert phrase_match(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "I nearly died laughing at the film",
        "At the end of it all I felt better",
        "My phone battery is dead",
        "I cut my hair and hurt my back",
    ],
)
def test_ordinary_sentences_raise_nothing(text) -> None:
    assert phrase_match(text) is None


def test_a_service_file_adds_its_own_phrases(tmp_path: Path) -> None:
    extra = tmp_path / "service.yaml"
    extra.write_text("version: 1\nphrases:\n  - going to disappear\n", encoding="utf-8")
    with override_settings(BCBT_SAFETY_PHRASES_FILE=str(extra)):
        assert phrase_match("I am going to disapear") == "going to disappear"
        assert phrase_match(WORDS) == "end it all"
    assert phrase_match("I am going to disappear") is None


def assert_one_flag_and_one_alert(patient, pwp, source_kind: str) -> RiskFlag:
    flag = RiskFlag.objects.get()
    assert flag.patient == patient
    assert flag.source_kind == source_kind
    assert flag.matched_phrase == "end it all"
    assert flag.status == RiskFlagStatus.OPEN
    assert flag.route == RiskFlagRoute.PWP
    alerts = Notification.objects.filter(key__startswith=f"risk-flag:{flag.pk}:")
    assert [alert.recipient for alert in alerts] == [pwp]
    # The alert carries no clinical content: never the patient's words.
    assert "end it all" not in alerts[0].body
    return flag


def test_a_message_to_the_pwp_with_a_safety_phrase_raises_one_flag_and_one_alert(
    episode, patient, pwp
) -> None:
    message_send(episode=episode, sender=patient, body=WORDS)
    assert_one_flag_and_one_alert(patient, pwp, RiskFlagSourceKind.MESSAGE)


def test_a_pwp_writing_a_safety_phrase_raises_nothing(episode, pwp) -> None:
    message_send(episode=episode, sender=pwp, body="Did you say you wanted to end it all?")
    assert not RiskFlag.objects.exists()


def test_a_mood_note_with_a_safety_phrase_raises_one_flag_and_one_alert(
    episode, patient, pwp
) -> None:
    mood_rating_record(patient=patient, day=patient.local_today(), score=2, note=WORDS)
    # Saving the same note again is not a second flag.
    mood_rating_record(patient=patient, day=patient.local_today(), score=3, note=WORDS)
    assert_one_flag_and_one_alert(patient, pwp, RiskFlagSourceKind.MOOD_NOTE)


def test_an_exercise_answer_with_a_safety_phrase_raises_one_flag_and_one_alert(
    episode, patient, pwp
) -> None:
    modules_load()
    assignment = assignment_for(episode, "understanding-low-mood")
    assignment_start(assignment=assignment)
    exercise_answers_save(
        assignment=assignment,
        exercise_key="my_low_mood_cycle",
        data={"when": "Sunday", "feelings": WORDS, "what_i_did": "Stayed in", "mood_rating": "2"},
        finishing=False,
    )
    assert_one_flag_and_one_alert(patient, pwp, RiskFlagSourceKind.EXERCISE_ANSWER)


def test_a_next_session_topic_with_a_safety_phrase_raises_one_flag_and_one_alert(
    episode, patient, pwp
) -> None:
    patient_topic_set(episode=episode, appointment=episode.appointments.get(number=2), text=WORDS)
    assert_one_flag_and_one_alert(patient, pwp, RiskFlagSourceKind.SESSION_TOPIC)


def test_a_patient_with_no_pwp_routes_a_phrase_to_the_duty_queue(service, service_admin) -> None:
    patient = factories.PatientFactory.create(service=service)
    mood_rating_record(patient=patient, day=patient.local_today(), score=2, note=WORDS)
    flag = RiskFlag.objects.get()
    assert flag.route == RiskFlagRoute.DUTY_QUEUE
    assert [alert.recipient for alert in Notification.objects.all()] == [service_admin]


def _failing_enqueue(**kwargs: object) -> None:
    raise IntegrityError("forced")


@pytest.mark.parametrize("source", ["message", "mood_note", "exercise_answer", "session_topic"])
def test_a_failing_alert_leaves_neither_the_text_nor_a_flag(episode, patient, source) -> None:
    modules_load()
    assignment = assignment_for(episode, "understanding-low-mood")
    assignment_start(assignment=assignment)
    saves = {
        "message": lambda: message_send(episode=episode, sender=patient, body=WORDS),
        "mood_note": lambda: mood_rating_record(
            patient=patient, day=patient.local_today(), score=2, note=WORDS
        ),
        "exercise_answer": lambda: exercise_answers_save(
            assignment=assignment,
            exercise_key="my_low_mood_cycle",
            data={"when": "Sunday", "feelings": WORDS},
            finishing=False,
        ),
        "session_topic": lambda: patient_topic_set(
            episode=episode, appointment=episode.appointments.get(number=2), text=WORDS
        ),
    }
    with (
        mock.patch("safety.services.notification_enqueue", _failing_enqueue),
        pytest.raises(IntegrityError),
    ):
        saves[source]()
    assert not RiskFlag.objects.exists()
    assert not Message.objects.exists()
    assert not MoodRating.objects.exists()
    assert not ExerciseResponse.objects.filter(answers__feelings=WORDS).exists()
    assert not PatientTopic.objects.exists()


def test_a_false_positive_is_closed_with_a_note_like_any_flag(episode, patient, pwp) -> None:
    message_send(episode=episode, sender=patient, body="A film about people who end it all")
    flag = risk_flag_close(
        flag=RiskFlag.objects.get(), by=pwp, note="Talking about a film; checked by phone."
    )
    assert flag.status == RiskFlagStatus.CLOSED


def test_the_pwp_sees_the_source_and_the_phrase_on_the_flag_page(
    episode, patient, pwp_client
) -> None:
    message_send(episode=episode, sender=patient, body=WORDS)
    flag = RiskFlag.objects.get()
    page = pwp_client.get(f"/clinician/flags/{flag.pk}/").content.decode()
    assert "Message to the PWP" in page
    assert "end it all" in page


def test_the_navigator_never_sees_the_phrase_or_the_text(
    episode, patient, navigator_client
) -> None:
    message_send(episode=episode, sender=patient, body=WORDS)
    flag = RiskFlag.objects.get()
    assert navigator_client.get(f"/clinician/flags/{flag.pk}/").status_code in (403, 404)
    for path in ("/navigator/", f"/navigator/patients/{patient.pk}/"):
        page = navigator_client.get(path).content.decode()
        assert "end it all" not in page


def test_the_patient_sees_crisis_signposting_after_a_matching_message(
    episode, patient_client
) -> None:
    response = patient_client.post("/messages/", {"body": WORDS})
    assert response.url == "/help/now/"
    page = patient_client.get(response.url).content.decode()
    assert "Thank you for telling us" in page
    assert "116 123" in page
    assert WORDS not in page


def test_an_ordinary_message_goes_back_to_the_conversation(episode, patient_client) -> None:
    response = patient_client.post("/messages/", {"body": "See you on Tuesday"})
    assert response.url == "/messages/"


def test_staff_cannot_open_the_patient_help_page(pwp_client, navigator_client) -> None:
    assert pwp_client.get("/help/now/").status_code == 403
    assert navigator_client.get("/help/now/").status_code == 403


def test_the_mood_api_answer_carries_signposting_after_a_matching_note(
    episode, patient_client
) -> None:
    response = patient_client.post(
        "/api/v1/mood/", {"score": 2, "note": WORDS}, content_type="application/json"
    )
    assert response.status_code == 201
    assert "116 123" in str(response.json()["signposting"])


def test_a_phrase_gets_the_services_review_window_like_question_nine(episode, patient) -> None:
    import datetime
    import zoneinfo

    import time_machine

    from measures.models import MeasuresConfiguration
    from measures.services import questionnaire_response_record

    MeasuresConfiguration.objects.create(service=episode.service, risk_review_working_days=3)
    thursday = datetime.datetime(2026, 3, 5, 9, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    with time_machine.travel(thursday, tick=False):
        mood_rating_record(patient=patient, day=patient.local_today(), score=2, note=WORDS)
        questionnaire_response_record(
            patient=patient, instrument_code="phq9", answers=[0, 1, 0, 1, 0, 1, 0, 1, 1]
        )
    by_phrase, by_question_nine = RiskFlag.objects.order_by("id")
    assert by_phrase.source_kind == RiskFlagSourceKind.MOOD_NOTE
    # Three working days, not a fixed one: Thursday, Friday and Monday, to Monday's close.
    assert by_phrase.review_due_at == thursday.replace(day=9, hour=17)
    assert by_question_nine.review_due_at == by_phrase.review_due_at
