"""The caseload: ordered by need, with the reasons shown, in a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from care.models import Episode
from clinician.caseload import caseload_build
from clinician.services import message_send
from measures.services import questionnaire_response_record
from moodlog.services import MoodRatingEntry, mood_ratings_import
from tests.factories import PatientFactory, make_episode


def _patient(service, pwp, name: str) -> Episode:
    patient = PatientFactory.create(username=name, first_name=name.title(), service=service)
    return make_episode(patient=patient, pwp=pwp, service=service)


def _moods(patient: User, scores_back: dict[int, int]) -> None:
    today = patient.local_today()
    mood_ratings_import(
        patient=patient,
        entries=[
            MoodRatingEntry(day=today - datetime.timedelta(days=back), score=score)
            for back, score in scores_back.items()
        ],
    )


def _active(patient: User) -> None:
    """Recent activity, so the patient is not listed as inactive."""
    _moods(patient, {0: 6})


def _order(pwp: User) -> list[str]:
    return [row.patient.username for row in caseload_build(staff=pwp, now=timezone.now())]


def test_open_risk_flag_comes_first_then_deterioration_mood_fall_inactivity_messages(
    service, pwp
) -> None:
    calm = _patient(service, pwp, "calm")
    unread = _patient(service, pwp, "unread")
    inactive = _patient(service, pwp, "inactive")
    falling = _patient(service, pwp, "falling")
    worse = _patient(service, pwp, "worse")
    flagged = _patient(service, pwp, "flagged")
    for episode in (calm, unread, worse, flagged):
        _active(episode.patient)
    # Mood mean 8 the week before, 5 this week: a fall of 3 points.
    _moods(falling.patient, {**dict.fromkeys(range(7), 5), **dict.fromkeys(range(7, 14), 8)})
    message_send(episode=unread, sender=unread.patient, body="Hello")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        questionnaire_response_record(
            patient=worse.patient, instrument_code="phq9", answers=[1] * 8 + [0]
        )
        questionnaire_response_record(
            patient=worse.patient, instrument_code="gad7", answers=[1] * 7
        )
    questionnaire_response_record(
        patient=worse.patient, instrument_code="phq9", answers=[2] * 8 + [0]
    )
    questionnaire_response_record(patient=worse.patient, instrument_code="gad7", answers=[2] * 7)
    questionnaire_response_record(
        patient=flagged.patient, instrument_code="phq9", answers=[0] * 8 + [1]
    )
    inactive.patient.last_login = timezone.now() - datetime.timedelta(days=9)
    inactive.patient.save(update_fields=["last_login"])

    assert _order(pwp) == ["flagged", "worse", "falling", "inactive", "unread", "calm"]


def test_each_row_says_why_it_is_where_it_is(service, pwp, pwp_client) -> None:
    falling = _patient(service, pwp, "falling")
    _moods(falling.patient, {**dict.fromkeys(range(7), 4), **dict.fromkeys(range(7, 14), 8)})
    page = pwp_client.get("/clinician/").content.decode()
    assert "Mood down 4.0 points this week" in page
    assert "Mood over the last 14 days" in page  # the sparkline's text alternative


def test_caseload_shows_only_the_pwps_own_patients(service, pwp, other_pwp, pwp_client) -> None:
    _patient(service, pwp, "mine")
    _patient(service, other_pwp, "theirs")
    page = pwp_client.get("/clinician/").content.decode()
    assert "Mine" in page
    assert "Theirs" not in page


def test_search_is_posted_so_names_stay_out_of_urls(service, pwp, pwp_client) -> None:
    alice = _patient(service, pwp, "alice")
    bob = _patient(service, pwp, "bob")
    page = pwp_client.post("/clinician/?show=all", {"search": "ali"}).content.decode()
    # By the patients' own links: the PWP's random name may contain "Bob" too (Bobby).
    assert f"/clinician/patients/{alice.patient.pk}/" in page
    assert f"/clinician/patients/{bob.patient.pk}/" not in page
    assert "?search" not in page


def test_filter_to_patients_needing_attention(service, pwp, pwp_client) -> None:
    calm = _patient(service, pwp, "calm")
    _active(calm.patient)
    flagged = _patient(service, pwp, "flagged")
    _active(flagged.patient)
    questionnaire_response_record(
        patient=flagged.patient, instrument_code="phq9", answers=[0] * 8 + [2]
    )
    page = pwp_client.get("/clinician/?show=flags").content.decode()
    assert "Flagged" in page
    assert "Calm" not in page


def test_unknown_filter_falls_back_to_everyone(pwp_client) -> None:
    assert pwp_client.get("/clinician/?show=nonsense").status_code == 200


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/clinician/").status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("size", [10, 200])
def test_caseload_runs_a_constant_number_of_queries(
    service, pwp, pwp_client, size, django_assert_max_num_queries
) -> None:
    for number in range(size):
        episode = _patient(service, pwp, f"patient{number:03d}")
        _moods(episode.patient, {back: 1 + (back + number) % 10 for back in range(0, 30, 2)})
        if number % 7 == 0:
            message_send(episode=episode, sender=episode.patient, body="hi")
    _count_queries(pwp_client)  # the first request of a browser session records the session
    with django_assert_max_num_queries(14):
        assert pwp_client.get("/clinician/").status_code == 200


def test_query_count_is_the_same_for_10_and_40_patients(service, pwp, pwp_client) -> None:
    for number in range(10):
        _patient(service, pwp, f"a{number}")
    _count_queries(pwp_client)
    ten = _count_queries(pwp_client)
    for number in range(30):
        episode = _patient(service, pwp, f"b{number}")
        _moods(episode.patient, {0: 5, 1: 6})
    assert _count_queries(pwp_client) == ten


@pytest.mark.parametrize("persona", ["navigator_client", "patient_client"])
def test_wrong_role_cannot_open_the_caseload(request, persona) -> None:
    assert request.getfixturevalue(persona).get("/clinician/").status_code == 403
