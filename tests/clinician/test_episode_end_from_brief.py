"""The PWP ends treatment from the brief: a reason and a day, refused clearly when it cannot
end yet; the patient then leaves the caseload."""

from __future__ import annotations

import datetime

from django.utils import timezone

from care.models import AuditEvent, EpisodeStatus
from measures.services import questionnaire_response_record


def _end_url(episode) -> str:
    return f"/clinician/patients/{episode.patient_id}/end/"


def test_the_brief_offers_the_end_form_with_today_as_the_date(pwp_client, episode) -> None:
    page = pwp_client.get(f"/clinician/patients/{episode.patient_id}/").content.decode()
    assert "End treatment" in page
    assert "Stepped up to high intensity" in page
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page


def test_pwp_ends_treatment_and_the_patient_leaves_the_caseload(pwp_client, episode) -> None:
    response = pwp_client.post(
        _end_url(episode),
        {"reason": "completed", "ended_on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/clinician/"
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.COMPLETED
    assert episode.end_reason == "completed"
    assert AuditEvent.objects.filter(action="episode.end", patient=episode.patient).exists()
    caseload = pwp_client.get("/clinician/").content.decode()
    assert f'data-patient="{episode.patient.username}"' not in caseload
    assert pwp_client.get(f"/clinician/patients/{episode.patient_id}/").status_code == 404


def test_an_open_risk_flag_refuses_the_ending_with_the_reason(pwp_client, episode) -> None:
    questionnaire_response_record(
        patient=episode.patient, instrument_code="phq9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 1]
    )
    response = pwp_client.post(
        _end_url(episode),
        {"reason": "dropped_out", "ended_on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Treatment has not ended" in page
    assert "risk flag" in page
    # The choice is kept, so nothing typed is lost.
    assert 'value="dropped_out" checked' in page
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_a_date_to_come_is_refused(pwp_client, episode) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = pwp_client.post(
        _end_url(episode), {"reason": "completed", "ended_on": f"{tomorrow:%Y-%m-%d}"}
    )
    assert response.status_code == 200
    assert "cannot end on a date still to come" in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_a_missing_reason_is_asked_for(pwp_client, episode) -> None:
    response = pwp_client.post(_end_url(episode), {"ended_on": f"{timezone.localdate():%Y-%m-%d}"})
    assert response.status_code == 200
    assert "Choose why treatment is ending." in response.content.decode()


def test_other_pwp_cannot_end_the_episode(other_pwp_client, episode) -> None:
    response = other_pwp_client.post(
        _end_url(episode),
        {"reason": "completed", "ended_on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert response.status_code == 404
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_navigator_cannot_end_the_episode(navigator_client, episode) -> None:
    assert navigator_client.get(_end_url(episode)).status_code == 403
