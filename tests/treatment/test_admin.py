"""Django admin opens, changes and ends episodes and services through the treatment and care
services: the same appointments, programme and audit events as every other path."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from care.models import AuditEvent, Episode, EpisodeStatus, Service
from modules.services import modules_load
from tests import factories


@pytest.fixture(autouse=True)
def _modules(db: None) -> None:
    modules_load()


def _shape(episode: Episode) -> dict[str, object]:
    """What opening an episode gives it, without ids or who did it."""
    return {
        "appointments": [
            (a.number, a.kind, a.scheduled_at, a.status)
            for a in episode.appointments.order_by("number")
        ],
        "programme": [
            (a.module.slug, a.mandatory, a.position, a.unlock_rule, a.source)
            for a in episode.module_assignments.select_related("module").order_by("position")
        ],
        "audit": list(
            AuditEvent.objects.filter(patient=episode.patient)
            .exclude(action__startswith="admin.")
            .values_list("action", "object_type")
        ),
    }


def _add_episode_in_admin(
    client: Client, *, patient: User, pwp: User, service: Service, started_on: datetime.date
) -> Episode:
    response = client.post(
        "/admin/care/episode/add/",
        {
            "patient": patient.pk,
            "pwp": pwp.pk,
            "service": service.pk,
            "started_on": started_on.isoformat(),
            "status": "active",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    return Episode.objects.get(patient=patient)


def test_an_episode_added_in_admin_has_what_the_factory_path_gives(
    service_admin_client: Client, service: Service, pwp: User
) -> None:
    started_on = timezone.localdate() - datetime.timedelta(days=13)
    by_factory = factories.make_episode(
        patient=factories.PatientFactory.create(service=service),
        pwp=pwp,
        service=service,
        started_on=started_on,
    )
    by_admin = _add_episode_in_admin(
        service_admin_client,
        patient=factories.PatientFactory.create(service=service),
        pwp=pwp,
        service=service,
        started_on=started_on,
    )
    assert by_admin.appointments.count() == 11
    assert by_admin.module_assignments.count() > 0
    assert _shape(by_admin) == _shape(by_factory)
    started = AuditEvent.objects.get(action="episode.start", patient=by_admin.patient)
    assert started.actor is not None


def test_a_service_added_in_admin_has_the_default_session_plan(
    service_admin_client: Client,
) -> None:
    response = service_admin_client.post(
        "/admin/care/service/add/",
        {
            "name": "North Talking Therapies",
            "slug": "north",
            "time_zone": "Europe/London",
            "nation": "scotland",
            "opens_at": "08:00",
            "closes_at": "18:00",
            "working_weekdays": ["1", "2", "3", "4", "5"],
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    by_admin = Service.objects.get(slug="north")
    # The working calendar given on the add form is kept, not replaced by the defaults.
    assert (by_admin.nation, by_admin.opens_at.hour, by_admin.closes_at.hour) == ("scotland", 8, 18)
    by_factory = factories.ServiceFactory.create()

    def plan(service: Service) -> list[tuple[int, str, int]]:
        return list(service.session_plan.values_list("number", "kind", "days_after_start"))

    assert len(plan(by_admin)) == 11
    assert plan(by_admin) == plan(by_factory)
    assert AuditEvent.objects.filter(action="service.create", object_id=str(by_admin.pk)).exists()


def _change(client: Client, episode: Episode, **changes: object) -> object:
    data: dict[str, object] = {
        "pwp": episode.pwp_id or "",
        "status": episode.status,
        "ended_on": "",
        "appointments-TOTAL_FORMS": "0",
        "appointments-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return client.post(f"/admin/care/episode/{episode.pk}/change/", data)


def test_changing_an_episodes_pwp_in_admin_is_audited(
    service_admin_client: Client, episode: Episode, other_pwp: User
) -> None:
    response = _change(service_admin_client, episode, pwp=other_pwp.pk)
    assert response.status_code == 302  # type: ignore[attr-defined]
    episode.refresh_from_db()
    assert episode.pwp == other_pwp
    event = AuditEvent.objects.get(action="episode.pwp_change")
    assert event.patient == episode.patient
    assert event.detail["to_pwp_id"] == other_pwp.pk


def test_ending_an_episode_in_admin_goes_through_the_end_service(
    service_admin_client: Client, episode: Episode
) -> None:
    response = _change(service_admin_client, episode, status=EpisodeStatus.DISCHARGED)
    assert response.status_code == 302  # type: ignore[attr-defined]
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.DISCHARGED
    assert episode.ended_on == timezone.localdate()
    assert AuditEvent.objects.get(action="episode.end").patient == episode.patient


def test_an_ended_episode_cannot_be_changed_in_admin(
    service_admin_client: Client, episode: Episode, other_pwp: User
) -> None:
    _change(service_admin_client, episode, status=EpisodeStatus.COMPLETED)
    _change(service_admin_client, episode, status=EpisodeStatus.ACTIVE, pwp=other_pwp.pk)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.COMPLETED
    assert episode.pwp_id != other_pwp.pk


def test_an_episode_cannot_be_deleted_in_admin(
    service_admin_client: Client, episode: Episode
) -> None:
    url = f"/admin/care/episode/{episode.pk}/delete/"
    assert service_admin_client.get(url).status_code == 403
    assert service_admin_client.post(url, {"post": "yes"}).status_code == 403
    response = service_admin_client.post(
        "/admin/care/episode/",
        {"action": "delete_selected", "_selected_action": [episode.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Episode.objects.filter(pk=episode.pk).exists()
    assert episode.appointments.count() == 11


def test_a_patient_with_an_episode_cannot_be_deleted_in_admin(
    service_admin_client: Client, episode: Episode
) -> None:
    url = f"/admin/accounts/user/{episode.patient_id}/delete/"
    service_admin_client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=episode.patient_id).exists()
    assert Episode.objects.filter(pk=episode.pk).exists()


def test_ending_an_episode_with_an_open_flag_in_admin_is_refused_with_the_reason(
    service_admin_client: Client, episode: Episode
) -> None:
    from measures.services import questionnaire_response_record

    questionnaire_response_record(
        patient=episode.patient, instrument_code="phq9", answers=[0, 0, 0, 0, 0, 0, 0, 0, 1]
    )
    response = service_admin_client.post(
        f"/admin/care/episode/{episode.pk}/change/",
        {
            "pwp": episode.pwp_id,
            "status": EpisodeStatus.DISCHARGED,
            "ended_on": "",
            "appointments-TOTAL_FORMS": "0",
            "appointments-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert "cannot end while a risk flag is not closed" in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
