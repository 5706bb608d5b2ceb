"""The console's patient list, patient page, reassigning, contact details and ending treatment
(issue #18). Other roles get 403; another service's patient is a 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from care.models import AuditEvent, EndReason, Episode, EpisodeStatus
from notifications.models import Notification, NotificationKind
from safety.services import risk_flag_acknowledge, risk_flag_raise
from tests.console.patients_helpers import (  # noqa: F401 (fixtures)
    _console_mail,
    modules_loaded,
    service_today,
)
from tests.factories import PatientFactory, PwpFactory, ServiceFactory, make_episode


def _rows(response: Any) -> list[str]:
    return [episode.patient.username for episode in response.context["page"].object_list]


@pytest.fixture
def elsewhere_patient(db: None) -> User:
    service = ServiceFactory.create()
    patient = PatientFactory.create(username="patient-elsewhere", service=service)
    make_episode(patient=patient, pwp=PwpFactory.create(service=service), service=service)
    return patient


@pytest.mark.parametrize("persona", ["patient_client", "pwp_client", "navigator_client"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/service/patients/"),
        ("get", "/service/patients/new/"),
        ("post", "/service/patients/new/"),
        ("get", "/service/patients/{id}/"),
        ("post", "/service/patients/{id}/reassign/"),
        ("get", "/service/patients/{id}/contact/"),
        ("post", "/service/patients/{id}/welcome/"),
        ("get", "/service/patients/{id}/end/"),
        ("post", "/service/patients/{id}/end/"),
    ],
)
def test_other_roles_get_403(request, persona, method, path, patient, episode) -> None:
    client = request.getfixturevalue(persona)
    response = getattr(client, method)(path.format(id=patient.pk))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/service/patients/{id}/"),
        ("post", "/service/patients/{id}/reassign/"),
        ("get", "/service/patients/{id}/contact/"),
        ("post", "/service/patients/{id}/contact/"),
        ("post", "/service/patients/{id}/welcome/"),
        ("get", "/service/patients/{id}/end/"),
        ("post", "/service/patients/{id}/end/"),
    ],
)
def test_another_services_patient_is_404(
    service_admin_client, elsewhere_patient, method, path
) -> None:
    response = getattr(service_admin_client, method)(path.format(id=elsewhere_patient.pk))
    assert response.status_code == 404


def test_a_member_of_staff_is_not_a_patient_here(service_admin_client, pwp) -> None:
    assert service_admin_client.get(f"/service/patients/{pwp.pk}/").status_code == 404


def test_the_list_shows_this_services_patients_with_pwp_status_and_next_appointment(
    service_admin_client, episode, other_episode, elsewhere_patient, pwp
) -> None:
    response = service_admin_client.get("/service/patients/")

    assert sorted(_rows(response)) == ["patient-charlie", "patient-dana"]
    page = response.content.decode()
    assert pwp.display_name in page
    assert "In treatment" in page
    # make_episode's plan puts session 3 tomorrow at 10:00.
    assert "Session 3, face to face" in page
    caseloads = {
        (item.pwp.username if item.pwp else None): item.active
        for item in response.context["caseloads"]
    }
    assert caseloads == {"pwp-alice": 1, "pwp-bob": 1, None: 0}
    assert AuditEvent.objects.filter(action="console.patients.view").count() == 1


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("charl", "patient-charlie"),
        ("PATIENT-DANA@example", "patient-dana"),
        ("943 476", "patient-charlie"),
    ],
)
def test_search_finds_by_name_email_or_nhs_number_and_keeps_it_out_of_the_url(
    service_admin_client, patient, episode, other_episode, typed, found
) -> None:
    patient.first_name = "Charlie"
    patient.nhs_number = "9434765919"
    patient.save(update_fields=["first_name", "nhs_number"])

    posted = service_admin_client.post("/service/patients/?status=all", {"search": typed})
    assert posted.status_code == 302
    assert typed not in posted["Location"]
    response = service_admin_client.get(posted["Location"])

    assert _rows(response) == [found]
    service_admin_client.post("/service/patients/", {"clear": "1"})
    assert len(_rows(service_admin_client.get("/service/patients/"))) == 2


def test_filters_by_pwp_and_status(
    service_admin_client, service, episode, other_episode, pwp, patient
) -> None:
    assert _rows(service_admin_client.get(f"/service/patients/?pwp={pwp.pk}")) == [
        "patient-charlie"
    ]
    waiting = PatientFactory.create(username="patient-waiting", service=service)
    make_episode(patient=waiting, pwp=None, service=service)
    assert _rows(service_admin_client.get("/service/patients/?status=waiting")) == [
        "patient-waiting"
    ]
    Episode.objects.filter(pk=episode.pk).update(
        status=EpisodeStatus.COMPLETED, ended_on=service_today()
    )
    assert _rows(service_admin_client.get("/service/patients/?status=ended")) == ["patient-charlie"]


def test_the_list_runs_a_constant_number_of_queries(
    service_admin_client, service, pwp, django_assert_max_num_queries
) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            make_episode(patient=PatientFactory.create(service=service), pwp=pwp, service=service)

    add(3)
    with django_assert_max_num_queries(20) as few:
        service_admin_client.get("/service/patients/")
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = service_admin_client.get("/service/patients/")
    assert len(_rows(response)) == 25
    assert response.context["page"].paginator.count == 33
    second = service_admin_client.get("/service/patients/?status=all&page=2")
    assert len(_rows(second)) == 8


def test_the_patient_page_shows_details_and_appointments_and_is_audited(
    service_admin_client, service_admin, patient, episode, pwp
) -> None:
    response = service_admin_client.get(f"/service/patients/{patient.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert patient.email in page
    assert pwp.display_name in page
    assert page.count('<td class="nhsuk-table__cell">Scheduled</td>') == 11
    assert response.context["next_appointment"].number == 3
    event = AuditEvent.objects.get(action="console.patient.view")
    assert (event.actor, event.patient) == (service_admin, patient)


def test_reassigning_moves_the_patient_between_caseloads_and_tells_the_new_pwp(
    service_admin_client, patient, episode, pwp, other_pwp
) -> None:
    response = service_admin_client.post(
        f"/service/patients/{patient.pk}/reassign/", {"pwp": other_pwp.pk}, follow=True
    )

    episode.refresh_from_db()
    assert episode.pwp == other_pwp
    assert "we told them in bcbt" in response.content.decode()
    assert AuditEvent.objects.filter(action="episode.pwp_change", patient=patient).exists()
    told = Notification.objects.get(recipient=other_pwp, kind=NotificationKind.STAFF_ALERT)
    assert told.link == f"/clinician/patients/{patient.pk}/"
    caseloads = {
        item.pwp.username: item.active
        for item in service_admin_client.get("/service/patients/").context["caseloads"]
        if item.pwp
    }
    assert caseloads == {"pwp-alice": 0, "pwp-bob": 1}
    # Both PWPs' own caseload pages agree.
    assert Client().get("/clinician/").status_code == 302
    old = Client()
    old.force_login(pwp)
    assert patient.display_name not in old.get("/clinician/").content.decode()
    new = Client()
    new.force_login(other_pwp)
    assert patient.display_name in new.get("/clinician/").content.decode()


def test_reassigning_to_a_pwp_of_another_service_is_refused(
    service_admin_client, patient, episode, pwp
) -> None:
    elsewhere = PwpFactory.create(service=ServiceFactory.create())
    response = service_admin_client.post(
        f"/service/patients/{patient.pk}/reassign/", {"pwp": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "Choose one of this service" in response.content.decode()
    episode.refresh_from_db()
    assert episode.pwp == pwp


def test_contact_details_are_changed_through_the_audit_trail(
    service_admin_client, patient, episode
) -> None:
    response = service_admin_client.post(
        f"/service/patients/{patient.pk}/contact/",
        {"email": "new@example.org", "phone_number": "+44 7911 123456", "nhs_number": ""},
    )

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.email, patient.phone_number) == ("new@example.org", "+447911123456")
    event = AuditEvent.objects.get(action="contact_details.update", patient=patient)
    assert event.detail == {"fields": ["email", "phone_number"]}
    assert "new@example.org" not in str(event.detail)


def test_bad_contact_details_keep_what_was_typed(
    service_admin_client, patient, episode, other_patient
) -> None:
    response = service_admin_client.post(
        f"/service/patients/{patient.pk}/contact/",
        {"email": other_patient.email, "phone_number": "12", "nhs_number": "9434765918"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"email", "phone_number", "nhs_number"}
    assert 'value="12"' in response.content.decode()
    patient.refresh_from_db()
    assert patient.phone_number == ""


def test_the_end_form_defaults_to_today_in_the_services_time_zone(
    service_admin_client, patient, episode
) -> None:
    response = service_admin_client.get(f"/service/patients/{patient.pk}/end/")
    assert response.status_code == 200
    assert response.context["form"]["ended_on"].value() == service_today()
    # As a date input needs it, or the browser shows an empty field.
    assert f'value="{service_today().isoformat()}"' in response.content.decode()


def test_ending_treatment_records_the_reason_and_date(
    service_admin_client, service_admin, patient, episode
) -> None:
    response = service_admin_client.post(
        f"/service/patients/{patient.pk}/end/",
        {"reason": EndReason.STEPPED_UP, "ended_on": service_today().isoformat()},
        follow=True,
    )

    episode.refresh_from_db()
    assert (episode.end_reason, episode.status, episode.ended_on) == (
        EndReason.STEPPED_UP,
        EpisodeStatus.DISCHARGED,
        service_today(),
    )
    assert "treatment has ended" in response.content.decode()
    event = AuditEvent.objects.get(action="episode.end", patient=patient)
    assert event.actor == service_admin
    listed = service_admin_client.get("/service/patients/?status=ended")
    assert _rows(listed) == ["patient-charlie"]


@pytest.mark.parametrize("acknowledged", [False, True])
def test_ending_is_refused_while_a_risk_flag_is_open_or_acknowledged(
    service_admin_client, service, service_admin, patient, episode, acknowledged
) -> None:
    flag = risk_flag_raise(
        patient=patient,
        episode=episode,
        service=service,
        source_response=None,
        review_due_at=timezone.now() + datetime.timedelta(hours=1),
    )
    if acknowledged:
        risk_flag_acknowledge(flag=flag, by=service_admin)

    shown = service_admin_client.get(f"/service/patients/{patient.pk}/end/")
    assert "cannot end yet" in shown.content.decode()
    response = service_admin_client.post(
        f"/service/patients/{patient.pk}/end/",
        {"reason": EndReason.COMPLETED, "ended_on": service_today().isoformat()},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "risk flag" in page
    episode.refresh_from_db()
    assert episode.is_active


def test_ending_in_the_future_or_without_a_reason_is_refused(
    service_admin_client, patient, episode
) -> None:
    future = service_admin_client.post(
        f"/service/patients/{patient.pk}/end/",
        {
            "reason": EndReason.COMPLETED,
            "ended_on": (service_today() + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert "date still to come" in future.content.decode()
    no_reason = service_admin_client.post(
        f"/service/patients/{patient.pk}/end/", {"ended_on": service_today().isoformat()}
    )
    assert "Choose why treatment ended" in no_reason.content.decode()
    episode.refresh_from_db()
    assert episode.is_active


def test_opening_the_contact_form_is_an_audited_read(
    service_admin_client, service_admin, patient, episode
) -> None:
    assert service_admin_client.get(f"/service/patients/{patient.pk}/contact/").status_code == 200
    event = AuditEvent.objects.get(action="console.patient.contact_view")
    assert (event.actor, event.patient) == (service_admin, patient)


def test_choosing_the_same_pwp_changes_nothing_and_tells_nobody(
    service_admin_client, patient, episode, pwp
) -> None:
    response = service_admin_client.post(
        f"/service/patients/{patient.pk}/reassign/", {"pwp": pwp.pk}, follow=True
    )
    assert "already their PWP" in response.content.decode()
    assert not AuditEvent.objects.filter(action="episode.pwp_change").exists()
    assert not Notification.objects.filter(kind=NotificationKind.STAFF_ALERT).exists()
