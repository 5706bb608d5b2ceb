"""Registering a patient from the console (issue #18): one service makes the account, opens the
episode through episode_start with the plan laid from the first appointment, and emails a
welcome with a single-use sign-in link that lands the patient on /me/."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Role, SignInLink, SupportKind, SupportRequest, User
from care.models import Appointment, AuditEvent, Episode, EpisodeStatus, SessionPlanEntry
from modules.models import Assignment
from notifications.models import Notification, NotificationKind
from tests.console.patients_helpers import (  # noqa: F401 (fixtures)
    _console_mail,
    email_provider_down,
    in_days,
    link_path_from_last_email,
    modules_loaded,
)
from tests.factories import PwpFactory, ServiceFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A valid NHS number (Modulus 11) from the NHS Data Dictionary's examples, and one digit off.
GOOD_NHS_NUMBER = "943 476 5919"
BAD_NHS_NUMBER = "9434765918"


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "first_name": "Robin",
        "last_name": "Ashby",
        "email": "Robin.Ashby@Example.org",
        "phone_number": "07911 123456",
        "nhs_number": GOOD_NHS_NUMBER,
        "time_zone": "Europe/London",
        "pwp": "",
        "first_appointment_on": in_days(3).isoformat(),
        "first_appointment_time": "14:30",
    }
    data.update(changes)
    return data


def test_registering_opens_the_episode_books_the_plan_and_sends_the_welcome(
    service_admin_client, service, pwp
) -> None:
    response = service_admin_client.post("/service/patients/new/", _form(pwp=pwp.pk))

    patient = User.objects.get(last_name="Ashby")
    assert response.status_code == 302
    assert response["Location"] == f"/service/patients/{patient.pk}/"
    assert patient.role == Role.PATIENT
    assert patient.service == service
    assert not patient.has_usable_password()
    assert patient.phone_number == "+447911123456"
    assert patient.nhs_number == "9434765919"
    episode = Episode.objects.get(patient=patient)
    assert (episode.pwp, episode.status, episode.started_on) == (
        pwp,
        EpisodeStatus.ACTIVE,
        in_days(3),
    )
    appointments = list(Appointment.objects.filter(episode=episode).order_by("number"))
    assert len(appointments) == SessionPlanEntry.objects.filter(service=service).count() == 11
    first = appointments[0].scheduled_at.astimezone(LONDON)
    assert (first.date(), first.time()) == (in_days(3), datetime.time(14, 30))
    # The rest of the plan, a week apart, at the same local time (across any clock change).
    assert appointments[1].scheduled_at.astimezone(LONDON).date() == in_days(10)
    assert appointments[1].scheduled_at.astimezone(LONDON).time() == datetime.time(14, 30)
    assert Assignment.objects.filter(episode=episode).exists()
    # The welcome email: their name, the link from BCBT_BASE_URL, when it stops working.
    [email] = mail.outbox
    assert email.to == ["Robin.Ashby@Example.org"]
    assert "Hello Robin" in email.body
    assert "works once, until" in email.body
    assert "(7 days from now)" in email.body
    link = SignInLink.objects.get(user=patient)
    assert link.welcome
    assert link.used_at is None
    assert link.expires_at - link.created_at == datetime.timedelta(days=7)
    assert link_path_from_last_email().startswith("/accounts/sign-in-link/")
    actions = set(AuditEvent.objects.filter(patient=patient).values_list("action", flat=True))
    assert {"patient.register", "episode.start", "welcome_link.send"} <= actions
    # The PWP is told in the app, without anything clinical.
    told = Notification.objects.get(recipient=pwp, kind=NotificationKind.STAFF_ALERT)
    assert told.link == f"/clinician/patients/{patient.pk}/"


def test_the_plan_is_laid_from_the_first_appointment_when_session_one_is_not_on_day_0(
    service_admin_client, service
) -> None:
    # An admin who books the first session a week after the start: the appointment the patient
    # was given at registration is still session 1, and the others keep their spacing.
    SessionPlanEntry.objects.filter(service=service).update(days_after_start=7 + 0)
    for entry in SessionPlanEntry.objects.filter(service=service):
        entry.days_after_start = 7 * entry.number
        entry.save(update_fields=["days_after_start"])

    service_admin_client.post("/service/patients/new/", _form())

    episode = Episode.objects.get(patient__last_name="Ashby")
    dates = [
        appointment.scheduled_at.astimezone(LONDON).date()
        for appointment in episode.appointments.order_by("number")
    ]
    assert dates[0] == in_days(3)
    assert dates[1] == in_days(10)


def test_the_welcome_link_signs_the_patient_in_to_their_programme_and_next_appointment(
    service_admin_client, service, pwp
) -> None:
    service_admin_client.post("/service/patients/new/", _form(pwp=pwp.pk))
    path = link_path_from_last_email()
    browser = Client()

    opened = browser.get(path)
    assert opened.status_code == 200
    assert "Welcome, Robin" in opened.content.decode()
    signed_in = browser.post(path, follow=True)

    assert signed_in.redirect_chain[-1][0] == "/me/"
    page = signed_in.content.decode()
    assert "14:30" in page
    assert in_days(3).strftime("%-d %B") in page
    programme = browser.get("/modules/")
    first_module = Assignment.objects.filter(episode__patient__last_name="Ashby").earliest("pk")
    assert programme.status_code == 200
    assert first_module.module.latest_version is not None
    assert first_module.module.latest_version.title in programme.content.decode()
    # Single use: the same link does not sign in again.
    assert Client().post(path).status_code == 410


def test_a_patient_with_no_pwp_waits_for_the_duty_queue(service_admin_client, service) -> None:
    response = service_admin_client.post("/service/patients/new/", _form())
    assert response.status_code == 302
    episode = Episode.objects.get(patient__last_name="Ashby")
    assert episode.pwp is None
    assert not Notification.objects.filter(kind=NotificationKind.STAFF_ALERT).exists()


def _errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200
    return {field: list(errors) for field, errors in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"phone_number": "0123"}, "phone_number", "Enter a mobile phone number"),
        ({"phone_number": "020 7946 0000"}, "phone_number", "landline"),
        ({"nhs_number": BAD_NHS_NUMBER}, "nhs_number", "not a valid NHS number"),
        ({"nhs_number": "12345"}, "nhs_number", "10 digits"),
        ({"email": "not an email"}, "email", "Enter an email address"),
        ({"first_name": ""}, "first_name", "Enter their first name"),
        ({"first_appointment_on": "2026-02-31"}, "first_appointment_on", "real date"),
        ({"first_appointment_time": "25:00"}, "first_appointment_time", "time like"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_lost(
    service_admin_client, service, changes, field, words
) -> None:
    response = service_admin_client.post("/service/patients/new/", _form(**changes))

    errors = _errors(response)
    assert any(words in message for message in errors[field]), errors
    assert not User.objects.filter(last_name="Ashby").exists()
    page = response.content.decode()
    assert "There is a problem" in page
    # What was typed is still there.
    assert 'value="Ashby"' in page


def test_a_first_appointment_in_the_past_is_refused(service_admin_client, service) -> None:
    response = service_admin_client.post(
        "/service/patients/new/", _form(first_appointment_on=in_days(-1).isoformat())
    )
    assert "later than now" in " ".join(_errors(response)["first_appointment_on"])
    assert not Episode.objects.exists()


def test_an_email_already_used_in_another_case_is_refused(
    service_admin_client, service, patient
) -> None:
    response = service_admin_client.post(
        "/service/patients/new/", _form(email=patient.email.upper())
    )
    assert "already uses this email" in " ".join(_errors(response)["email"])
    assert not User.objects.filter(last_name="Ashby").exists()


def test_an_nhs_number_already_registered_is_refused(
    service_admin_client, service, patient
) -> None:
    patient.nhs_number = "9434765919"
    patient.save(update_fields=["nhs_number"])
    response = service_admin_client.post("/service/patients/new/", _form())
    assert "already has this NHS number" in " ".join(_errors(response)["nhs_number"])


def test_a_pwp_of_another_service_is_refused(service_admin_client, service) -> None:
    elsewhere = PwpFactory.create(service=ServiceFactory.create())
    response = service_admin_client.post("/service/patients/new/", _form(pwp=elsewhere.pk))
    assert "this service's PWPs" in " ".join(_errors(response)["pwp"])
    assert not Episode.objects.exists()


def test_the_service_refuses_a_pwp_of_another_service_too(service, service_admin) -> None:
    from django.core.exceptions import ValidationError

    from accounts.registration import ContactDetails
    from console.patients.services import Registration, patient_register

    elsewhere = PwpFactory.create(service=ServiceFactory.create())
    with pytest.raises(ValidationError) as refused:
        patient_register(
            service=service,
            registration=Registration(
                first_name="Robin",
                last_name="Ashby",
                contact=ContactDetails(email="robin@example.org"),
                time_zone="Europe/London",
                pwp=elsewhere,
                first_appointment_on=in_days(2),
                first_appointment_time=datetime.time(10, 0),
            ),
            by=service_admin,
        )
    assert "pwp" in refused.value.message_dict
    assert not User.objects.filter(last_name="Ashby").exists()


@pytest.mark.usefixtures("email_provider_down")
def test_when_the_email_provider_is_down_the_patient_is_still_registered(
    service_admin_client, service, pwp
) -> None:
    response = service_admin_client.post("/service/patients/new/", _form(pwp=pwp.pk), follow=True)

    patient = User.objects.get(last_name="Ashby")
    assert Episode.objects.filter(patient=patient, status=EpisodeStatus.ACTIVE).exists()
    page = response.content.decode()
    assert "the welcome email did not go" in page
    assert "Send a new welcome link" in page
    # No link exists that nobody was sent; the failure is in the navigator's queue.
    assert not SignInLink.objects.filter(user=patient).exists()
    assert SupportRequest.objects.filter(
        patient=patient, kind=SupportKind.SIGN_IN_EMAIL_FAILED
    ).exists()


def test_a_new_welcome_link_can_be_sent_once_the_provider_is_back(
    service_admin_client, service, pwp, settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", 2
    from scripts.faults._servers import free_port

    settings.EMAIL_PORT = free_port()
    service_admin_client.post("/service/patients/new/", _form())
    patient = User.objects.get(last_name="Ashby")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    response = service_admin_client.post(f"/service/patients/{patient.pk}/welcome/", follow=True)

    assert "We emailed Robin Ashby a new welcome link" in response.content.decode()
    assert len(mail.outbox) == 1
    assert SignInLink.objects.filter(user=patient, welcome=True).count() == 1
    assert AuditEvent.objects.filter(patient=patient, action="welcome_link.send").exists()


def test_welcome_links_are_limited_like_every_sign_in_email(
    service_admin_client, service, settings
) -> None:
    settings.BCBT_SIGN_IN_MAIL_LIMIT_PER_ADDRESS = 2
    service_admin_client.post("/service/patients/new/", _form())
    patient = User.objects.get(last_name="Ashby")
    service_admin_client.post(f"/service/patients/{patient.pk}/welcome/")

    response = service_admin_client.post(f"/service/patients/{patient.pk}/welcome/", follow=True)

    assert "several sign-in emails in the last hour" in response.content.decode()
    assert len(mail.outbox) == 2
