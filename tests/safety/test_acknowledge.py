"""Acknowledged ("I'm on it"): between raised and closed, it stops escalation and says who.
An episode cannot end while one of its flags is not closed."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from care.models import AuditEvent, EpisodeStatus
from care.services import EpisodeChangeError, episode_end
from measures.services import questionnaire_response_record
from safety.models import RiskFlag, RiskFlagStatus
from safety.services import risk_flag_acknowledge, risk_flag_close
from safety.tasks import risk_flags_escalate
from tests import factories

LONDON = zoneinfo.ZoneInfo("Europe/London")
FLAGGED = [0, 1, 0, 1, 0, 1, 0, 1, 1]


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def raise_flag(patient) -> RiskFlag:
    questionnaire_response_record(patient=patient, instrument_code="phq9", answers=FLAGGED)
    return RiskFlag.objects.get()


def test_the_pwp_acknowledges_a_flag_and_it_says_who_and_when(episode, pwp) -> None:
    flag = risk_flag_acknowledge(flag=raise_flag(episode.patient), by=pwp)
    flag.refresh_from_db()
    assert flag.status == RiskFlagStatus.ACKNOWLEDGED
    assert flag.acknowledged_by == pwp
    assert flag.acknowledged_at is not None
    assert AuditEvent.objects.filter(action="risk_flag.acknowledge").count() == 1


def test_acknowledging_twice_keeps_the_first_person(episode, pwp, service_admin) -> None:
    flag = raise_flag(episode.patient)
    risk_flag_acknowledge(flag=flag, by=pwp)
    risk_flag_acknowledge(flag=flag, by=service_admin)
    flag.refresh_from_db()
    assert flag.acknowledged_by == pwp


def test_an_acknowledged_flag_does_not_escalate(episode, pwp) -> None:
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        flag = raise_flag(episode.patient)
        risk_flag_acknowledge(flag=flag, by=pwp)
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):
        assert risk_flags_escalate() == 0


def test_an_acknowledged_flag_closes_with_a_note(episode, pwp) -> None:
    flag = raise_flag(episode.patient)
    risk_flag_acknowledge(flag=flag, by=pwp)
    flag = risk_flag_close(flag=flag, by=pwp, note="Phoned; safety plan agreed.")
    assert flag.status == RiskFlagStatus.CLOSED
    assert flag.acknowledged_by == pwp


def test_the_pwp_acknowledges_from_the_flag_page_and_the_list_shows_it(
    episode, pwp, pwp_client
) -> None:
    flag = raise_flag(episode.patient)
    response = pwp_client.post(f"/clinician/flags/{flag.pk}/", {"action": "acknowledge"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.acknowledged_by == pwp
    page = pwp_client.get("/clinician/flags/").content.decode()
    assert f"Acknowledged by {pwp.display_name}" in page


def test_the_duty_queue_acknowledges_a_flag_for_a_patient_with_no_pwp(
    service, service_admin, service_admin_client
) -> None:
    patient = factories.PatientFactory.create(service=service)
    flag = raise_flag(patient)
    service_admin_client.post(f"/clinician/flags/{flag.pk}/", {"action": "acknowledge"})
    flag.refresh_from_db()
    assert flag.acknowledged_by == service_admin


def test_the_duty_queue_lists_each_flags_state_and_age(service, service_admin_client) -> None:
    patient = factories.PatientFactory.create(service=service)
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        raise_flag(patient)
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        page = service_admin_client.get("/clinician/flags/").content.decode()
    assert "Needs clinician review" in page
    assert "2\xa0days" in page


def test_another_pwp_cannot_acknowledge(episode, other_pwp_client) -> None:
    flag = raise_flag(episode.patient)
    response = other_pwp_client.post(f"/clinician/flags/{flag.pk}/", {"action": "acknowledge"})
    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.status == RiskFlagStatus.OPEN


def test_a_navigator_cannot_acknowledge(episode, navigator_client) -> None:
    flag = raise_flag(episode.patient)
    response = navigator_client.post(f"/clinician/flags/{flag.pk}/", {"action": "acknowledge"})
    assert response.status_code == 403


@pytest.mark.parametrize("acknowledged", [False, True])
def test_an_episode_cannot_end_while_a_flag_is_not_closed(episode, pwp, acknowledged) -> None:
    flag = raise_flag(episode.patient)
    if acknowledged:
        risk_flag_acknowledge(flag=flag, by=pwp)
    with pytest.raises(EpisodeChangeError, match="risk flag"):
        episode_end(
            episode=episode,
            status=EpisodeStatus.COMPLETED,
            ended_on=episode.started_on,
            by=pwp,
        )
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    risk_flag_close(flag=flag, by=pwp, note="Reviewed with the patient.")
    episode_end(
        episode=episode, status=EpisodeStatus.COMPLETED, ended_on=episode.started_on, by=pwp
    )
    assert episode.status == EpisodeStatus.COMPLETED
