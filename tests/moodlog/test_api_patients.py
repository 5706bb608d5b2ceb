"""The PWP's side of the API: their caseload, and one patient's mood, for their own PWP only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from care.models import AppointmentStatus, AuditEvent, Episode, EpisodeStatus
from care.services import episode_end
from moodlog.services import mood_rating_record
from tests import factories
from tests.moodlog.conftest import token_client


def mood_url(patient: User) -> str:
    return f"/api/v1/patients/{patient.pk}/mood/"


# --- GET /api/v1/patients/ --------------------------------------------------------------------


def test_a_pwp_sees_their_own_caseload(
    pwp_api: APIClient, patient: User, episode: Episode, other_episode: Episode
) -> None:
    response = pwp_api.get("/api/v1/patients/")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body] == [patient.pk]
    row = body[0]
    assert set(row) == {"id", "name", "next_appointment"}
    assert row["name"] == patient.display_name
    upcoming = (
        episode.appointments.filter(
            status=AppointmentStatus.SCHEDULED, scheduled_at__gte=timezone.now()
        )
        .order_by("scheduled_at")
        .first()
    )
    assert upcoming is not None
    parsed = datetime.datetime.fromisoformat(row["next_appointment"])
    assert parsed == upcoming.scheduled_at


def test_a_patient_with_nothing_booked_has_a_null_next_appointment(
    pwp_api: APIClient, episode: Episode
) -> None:
    episode.appointments.update(status=AppointmentStatus.CANCELLED)
    assert pwp_api.get("/api/v1/patients/").json()[0]["next_appointment"] is None


def test_an_ended_episode_leaves_the_caseload(pwp_api: APIClient, episode: Episode) -> None:
    episode_end(
        episode=episode, status=EpisodeStatus.COMPLETED, ended_on=timezone.localdate(), by=None
    )
    assert pwp_api.get("/api/v1/patients/").json() == []


def test_the_caseload_read_is_audited_without_patient_details(
    pwp_api: APIClient, pwp: User, episode: Episode
) -> None:
    pwp_api.get("/api/v1/patients/")
    event = AuditEvent.objects.get(action="caseload.read")
    assert event.actor == pwp
    assert event.detail == {"via": "api", "count": 1}


@pytest.mark.parametrize(
    "persona", ["patient_api", "navigator_api", "service_admin_api", "other_patient_api"]
)
def test_only_pwps_have_a_caseload_403(persona: str, request: pytest.FixtureRequest) -> None:
    client: APIClient = request.getfixturevalue(persona)
    response = client.get("/api/v1/patients/")
    assert response.status_code == 403
    assert "detail" in response.json()


def test_the_caseload_costs_the_same_queries_for_any_size(
    pwp: User, pwp_api: APIClient, service, django_assert_max_num_queries
) -> None:
    pwp_api.get("/api/v1/patients/")  # the token's last use is written once a minute
    for _ in range(6):
        factories.make_episode(
            patient=factories.PatientFactory.create(service=service), pwp=pwp, service=service
        )
    with django_assert_max_num_queries(3):
        response = pwp_api.get("/api/v1/patients/")
    assert len(response.json()) == 6


# --- GET /api/v1/patients/{id}/mood/ ------------------------------------------------------------


def test_the_patients_pwp_reads_their_mood_and_it_is_audited(
    pwp_api: APIClient, pwp: User, patient: User, episode: Episode
) -> None:
    today = patient.local_today()
    mood_rating_record(patient=patient, day=today - datetime.timedelta(days=1), score=4)
    mood_rating_record(patient=patient, day=today, score=6, note="Saw a friend.")
    response = pwp_api.get(mood_url(patient))
    assert response.status_code == 200
    assert [(row["date"], row["score"]) for row in response.json()] == [
        ((today - datetime.timedelta(days=1)).isoformat(), 4),
        (today.isoformat(), 6),
    ]
    event = AuditEvent.objects.get(action="mood.read")
    assert (event.actor, event.patient) == (pwp, patient)
    # Counts only: no scores or notes in the audit trail.
    assert event.detail == {"via": "api", "count": 2}


def test_the_pwp_can_ask_for_a_range(pwp_api: APIClient, patient: User, episode: Episode) -> None:
    today = patient.local_today()
    for back in range(4):
        mood_rating_record(patient=patient, day=today - datetime.timedelta(days=back), score=5)
    day = (today - datetime.timedelta(days=2)).isoformat()
    response = pwp_api.get(mood_url(patient), {"from": day, "to": day})
    assert [row["date"] for row in response.json()] == [day]
    assert pwp_api.get(mood_url(patient), {"from": "soon"}).status_code == 400


@pytest.mark.parametrize(
    "persona",
    ["other_pwp_api", "service_admin_api", "navigator_api", "patient_api", "other_patient_api"],
)
def test_anyone_but_the_patients_pwp_gets_404(
    persona: str, request: pytest.FixtureRequest, patient: User, episode: Episode
) -> None:
    mood_rating_record(patient=patient, day=patient.local_today(), score=5)
    client: APIClient = request.getfixturevalue(persona)
    response = client.get(mood_url(patient))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="mood.read").exists()


def test_a_former_pwp_gets_404_once_the_episode_ends(
    pwp_api: APIClient, patient: User, episode: Episode
) -> None:
    episode_end(
        episode=episode, status=EpisodeStatus.DISCHARGED, ended_on=timezone.localdate(), by=None
    )
    assert pwp_api.get(mood_url(patient)).status_code == 404


@pytest.mark.parametrize("patient_id", ["999999", "abc", "0", "-1", "1" * 40])
def test_a_patient_that_does_not_exist_is_the_same_404(
    pwp_api: APIClient, episode: Episode, patient_id: str
) -> None:
    response = pwp_api.get(f"/api/v1/patients/{patient_id}/mood/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_pwp_with_no_episode_for_a_staff_member_gets_404(
    pwp_api: APIClient, other_pwp: User
) -> None:
    assert pwp_api.get(mood_url(other_pwp)).status_code == 404


def test_another_pwp_of_the_same_service_sees_only_their_own(
    other_pwp: User, patient: User, other_patient: User, episode: Episode, other_episode: Episode
) -> None:
    client = token_client(other_pwp)
    assert client.get(mood_url(other_patient)).status_code == 200
    assert client.get(mood_url(patient)).status_code == 404


def test_the_api_and_the_caseload_page_list_patients_in_one_order_nothing_booked_last(
    pwp: User, pwp_api: APIClient, service
) -> None:
    """Soonest session first, patients with no session booked last, then by surname: the same
    selector (care.selectors.caseload_for_staff) for the API and the page."""
    from care.selectors import caseload_for_staff

    episodes = {}
    for last_name in ("Adams", "Baker", "Cole"):
        patient = factories.PatientFactory.create(service=service, last_name=last_name)
        episodes[last_name] = factories.make_episode(patient=patient, pwp=pwp, service=service)
    for episode in episodes.values():
        episode.appointments.update(status=AppointmentStatus.CANCELLED)
    # Cole's next session comes before Baker's; Adams has nothing booked.
    for name, days in (("Baker", 2), ("Cole", 1)):
        episodes[name].appointments.create(
            number=50, kind="online", scheduled_at=timezone.now() + datetime.timedelta(days=days)
        )
    by_api = [row["id"] for row in pwp_api.get("/api/v1/patients/").json()]
    by_selector = [episode.patient_id for episode in caseload_for_staff(staff=pwp)]
    expected = [episodes[name].patient_id for name in ("Cole", "Baker", "Adams")]
    assert by_api == by_selector == expected
