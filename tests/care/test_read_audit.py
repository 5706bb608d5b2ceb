"""Staff reads of patient data are audited: one event per page, never the content."""

from __future__ import annotations

import json

from django.urls import reverse

from care.models import AuditEvent


def _events_text(action: str) -> str:
    return json.dumps(list(AuditEvent.objects.filter(action=action).values("detail", "object_id")))


def test_opening_the_caseload_writes_one_audit_event_for_the_page(
    pwp_client, pwp, episode, other_episode
) -> None:
    response = pwp_client.get("/clinician/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="caseload.view")
    assert event.actor == pwp
    assert event.patient is None
    assert event.detail["rows"] == 1


def test_a_caseload_name_search_is_audited_without_the_search_text(pwp_client, episode) -> None:
    name = episode.patient.last_name
    response = pwp_client.post("/clinician/", {"search": name})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="caseload.view")
    assert event.detail["searched"] is True
    assert name.lower() not in _events_text("caseload.view").lower()


def test_the_service_admins_whole_service_caseload_is_audited(
    service_admin_client, service_admin, episode, other_episode
) -> None:
    service_admin_client.get("/clinician/")
    event = AuditEvent.objects.get(action="caseload.view")
    assert event.actor == service_admin
    assert event.detail["rows"] == 2


def test_opening_the_alliance_page_is_audited(pwp_client, pwp, episode) -> None:
    response = pwp_client.get(reverse("measures:alliance-rate", args=[episode.patient_id]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="measures.alliance.view")
    assert event.actor == pwp
    assert event.patient == episode.patient


def test_another_pwp_denied_the_alliance_page_leaves_no_read_event(
    other_pwp_client, episode
) -> None:
    response = other_pwp_client.get(reverse("measures:alliance-rate", args=[episode.patient_id]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="measures.alliance.view").exists()


def test_listing_the_audit_trail_in_admin_is_itself_audited(service_admin_client, episode) -> None:
    # The audit trail names patients and what was done to their records.
    assert service_admin_client.get("/admin/care/auditevent/").status_code == 200
    assert AuditEvent.objects.filter(action="admin.list.auditevent").exists()


def test_admin_search_text_is_not_copied_into_the_audit_trail(
    service_admin_client, episode
) -> None:
    name = episode.patient.last_name
    service_admin_client.get("/admin/accounts/user/", {"q": name})
    assert AuditEvent.objects.filter(action="admin.list.user").exists()
    assert name.lower() not in _events_text("admin.list.user").lower()
