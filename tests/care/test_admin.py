"""Django admin for service admins: the right people in the right places, and audited reads."""

from __future__ import annotations

from care.models import AuditEvent


def test_admin_refuses_a_patient_as_an_episodes_pwp(
    service_admin_client, episode, other_patient
) -> None:
    url = f"/admin/care/episode/{episode.pk}/change/"
    page = service_admin_client.get(url)
    assert page.status_code == 200
    response = service_admin_client.post(
        url,
        {
            "patient": episode.patient_id,
            "pwp": other_patient.pk,
            "service": episode.service_id,
            "started_on": episode.started_on.isoformat(),
            "status": "active",
            "created_at_0": "2026-01-01",
            "created_at_1": "10:00",
            "appointments-TOTAL_FORMS": "0",
            "appointments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    episode.refresh_from_db()
    assert episode.pwp_id != other_patient.pk


def test_opening_a_patients_episode_in_admin_is_audited(service_admin_client, episode) -> None:
    service_admin_client.get(f"/admin/care/episode/{episode.pk}/change/")
    event = AuditEvent.objects.get(action="admin.view.episode")
    assert event.patient == episode.patient


def test_listing_patients_in_admin_is_audited(service_admin_client, episode) -> None:
    service_admin_client.get("/admin/accounts/user/")
    assert AuditEvent.objects.filter(action="admin.list.user").exists()
    service_admin_client.get(f"/admin/accounts/user/{episode.patient_id}/change/")
    assert AuditEvent.objects.get(action="admin.view.user").patient == episode.patient
