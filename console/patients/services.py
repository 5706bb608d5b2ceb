"""The console's writes about patients: registering one (account, episode, welcome email),
giving them another PWP, sending a new welcome link. Each calls the owning app's services,
which write the audit trail."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.registration import ContactDetails, patient_account_create
from accounts.services import SupportActionError
from accounts.welcome import WelcomeEmailNotSent, welcome_link_send
from care.models import Episode, Service
from care.services import episode_pwp_change
from notifications.models import NotificationKind
from notifications.services import notification_enqueue
from treatment.services import episode_start


@dataclass(frozen=True)
class Registration:
    """What the service admin types to register a patient."""

    first_name: str
    last_name: str
    contact: ContactDetails
    time_zone: str
    pwp: User | None
    first_appointment_on: datetime.date
    first_appointment_time: datetime.time


@dataclass(frozen=True)
class Registered:
    patient: User
    episode: Episode
    # False when the email provider refused the welcome email: the patient is registered and
    # the patient's page offers to send it again.
    welcome_sent: bool


def pwp_check(*, service: Service, pwp: User | None) -> None:
    """A PWP given to a patient of ``service`` is an active PWP of that service."""
    if pwp is not None and (
        pwp.role != Role.PWP or pwp.service_id != service.pk or not pwp.is_active
    ):
        raise ValidationError({"pwp": ["Choose one of this service's PWPs, or no PWP yet."]})


def first_appointment_check(
    *, service: Service, on: datetime.date, at: datetime.time
) -> datetime.datetime:
    """The first appointment as a moment in the service's time zone; not in the past."""
    moment = datetime.datetime.combine(on, at, tzinfo=zoneinfo.ZoneInfo(service.time_zone))
    if moment < timezone.now():
        raise ValidationError(
            {"first_appointment_on": ["The first appointment must be later than now."]}
        )
    return moment


def pwp_tell(*, episode: Episode, pwp: User) -> None:
    """Tell a PWP in the app that a patient has joined their caseload (no clinical content)."""
    notification_enqueue(
        key=f"caseload-join:{episode.pk}:{pwp.pk}:{timezone.now().timestamp()}",
        recipient=pwp,
        patient=episode.patient,
        kind=NotificationKind.STAFF_ALERT,
        channel="in_app",
        subject="A patient has joined your caseload",
        body="Your service admin gave you a patient. Their brief is on your caseload.",
        link=reverse("clinician:brief", args=[episode.patient_id]),
    )


def patient_register(
    *,
    service: Service,
    registration: Registration,
    by: User,
    request: HttpRequest | None = None,
) -> Registered:
    """Register a patient: their account (role patient, no usable password), their episode
    opened through ``treatment.services.episode_start`` with the plan laid from the first
    appointment, a word to their PWP, then the welcome email with a single-use sign-in link.

    The account and episode commit before the email is sent: a provider that refuses the
    email leaves the patient registered, with ``welcome_sent`` False.
    """
    pwp_check(service=service, pwp=registration.pwp)
    first_appointment_check(
        service=service,
        on=registration.first_appointment_on,
        at=registration.first_appointment_time,
    )
    with transaction.atomic():
        patient = patient_account_create(
            service=service,
            first_name=registration.first_name,
            last_name=registration.last_name,
            contact=registration.contact,
            time_zone=registration.time_zone,
            by=by,
            request=request,
        )
        episode = episode_start(
            patient=patient,
            service=service,
            pwp=registration.pwp,
            started_on=registration.first_appointment_on,
            first_session_time=registration.first_appointment_time,
            plan_from_start=False,
            by=by,
            request=request,
        )
        if registration.pwp is not None:
            pwp_tell(episode=episode, pwp=registration.pwp)
    try:
        welcome_sent = welcome_resend(service=service, patient=patient, by=by, request=request)
    except SupportActionError:
        # Only the hourly limit of sign-in emails to one address: the page offers to resend.
        welcome_sent = False
    return Registered(patient=patient, episode=episode, welcome_sent=welcome_sent)


def welcome_resend(
    *, service: Service, patient: User, by: User, request: HttpRequest | None = None
) -> bool:
    """Send a welcome email with a new sign-in link; False when the provider refused it (the
    failure is then in the navigator's queue)."""
    try:
        welcome_link_send(by=by, patient=patient, service_name=service.name, request=request)
    except WelcomeEmailNotSent:
        return False
    return True


@transaction.atomic
def patient_pwp_change(
    *, service: Service, episode: Episode, pwp: User | None, by: User, request: HttpRequest
) -> Episode:
    """Give a patient another PWP (or none: the duty queue), and tell the new PWP."""
    pwp_check(service=service, pwp=pwp)
    before = episode.pwp_id
    changed = episode_pwp_change(episode=episode, pwp=pwp, by=by, request=request)
    if pwp is not None and before != pwp.pk:
        pwp_tell(episode=changed, pwp=pwp)
    return changed
