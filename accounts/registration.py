"""Accounts a service makes for people: a patient registered by their service, a member of staff
invited to it, and the later changes to who they are (contact details, deactivation).

Each function validates, writes and records an audit event; the console calls them. Nobody
chooses a password for someone else: a new account has an unusable password until its owner
signs in through the link they are emailed (``accounts/welcome.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.text import slugify

from accounts.models import Role, User, validate_time_zone
from accounts.nhs_number import validate_nhs_number
from accounts.phone import phone_number_normalise
from care.services import audit_event_record

if TYPE_CHECKING:
    from care.models import Service

STAFF_INVITE_ROLES = (Role.PWP, Role.NAVIGATOR, Role.SERVICE_ADMIN)

EMAIL_TAKEN = "Another account already uses this email address. Each person needs their own."
NHS_NUMBER_TAKEN = "Another patient already has this NHS number. Check it against their letter."


@dataclass(frozen=True)
class ContactDetails:
    """An email, a mobile number and an NHS number as typed; ``contact_details_clean`` checks
    and normalises them (E.164 for the number, ten digits for the NHS number)."""

    email: str
    phone_number: str = ""
    nhs_number: str = ""


def nhs_number_normalise(value: str) -> str:
    """Ten digits as typed with or without spaces or dashes ("943 476 5919"); "" stays ""."""
    digits = re.sub(r"[\s-]", "", value.strip())
    if digits:
        validate_nhs_number(digits)
    return digits


def contact_details_clean(details: ContactDetails, *, user: User | None = None) -> ContactDetails:
    """Check contact details for ``user`` (None for a new account). Raises ``ValidationError``
    keyed by field, so a form can show each message beside its field."""
    errors: dict[str, list[str]] = {}
    email = details.email.strip()
    phone_number = nhs_number = ""
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects.all()
    if not email:
        errors["email"] = ["Enter an email address: the welcome email goes to it."]
    elif others.filter(email__iexact=email).exists():
        errors["email"] = [EMAIL_TAKEN]
    try:
        phone_number = phone_number_normalise(details.phone_number)
    except ValidationError as error:
        errors["phone_number"] = error.messages
    try:
        nhs_number = nhs_number_normalise(details.nhs_number)
    except ValidationError as error:
        errors["nhs_number"] = error.messages
    else:
        if nhs_number and others.filter(nhs_number=nhs_number).exists():
            errors["nhs_number"] = [NHS_NUMBER_TAKEN]
    if errors:
        raise ValidationError(errors)
    return ContactDetails(email=email, phone_number=phone_number, nhs_number=nhs_number)


def username_for(*, first_name: str, last_name: str) -> str:
    """A free username from a person's name ("asha.patel", then "asha.patel2", ...). People
    sign in with their email; the username only has to be unique and readable in the audit."""
    base = slugify(f"{first_name} {last_name}").replace("-", ".")[:140] or "person"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def _account_create(
    *,
    role: str,
    service: Service,
    first_name: str,
    last_name: str,
    contact: ContactDetails,
    time_zone: str,
) -> User:
    """The row for a new account, with a password nobody can use until its owner sets one."""
    first_name, last_name = first_name.strip(), last_name.strip()
    errors: dict[str, list[str]] = {}
    if not first_name:
        errors["first_name"] = ["Enter their first name."]
    if not last_name:
        errors["last_name"] = ["Enter their last name."]
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        errors["time_zone"] = error.messages
    try:
        contact = contact_details_clean(contact)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username_for(first_name=first_name, last_name=last_name),
        first_name=first_name,
        last_name=last_name,
        email=contact.email,
        phone_number=contact.phone_number,
        nhs_number=contact.nhs_number,
        role=role,
        service=service,
        time_zone=time_zone,
    )
    user.set_unusable_password()
    try:
        # A savepoint: two admins registering the same NHS number at once get the message,
        # and the caller's transaction stays usable.
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError({"nhs_number": [NHS_NUMBER_TAKEN]}) from error
    return user


@transaction.atomic
def patient_account_create(
    *,
    service: Service,
    first_name: str,
    last_name: str,
    contact: ContactDetails,
    time_zone: str,
    by: User,
    request: HttpRequest | None = None,
) -> User:
    """A patient's account in ``service``. Their episode is opened separately, through
    ``treatment.services.episode_start`` (the console's ``patient_register`` does both)."""
    patient = _account_create(
        role=Role.PATIENT,
        service=service,
        first_name=first_name,
        last_name=last_name,
        contact=contact,
        time_zone=time_zone,
    )
    audit_event_record(
        actor=by, action="patient.register", patient=patient, target=patient, request=request
    )
    return patient


@transaction.atomic
def staff_account_create(
    *,
    service: Service,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    by: User,
    request: HttpRequest | None = None,
) -> User:
    """A member of staff of ``service``, who sets their password from the invitation and then
    their second factor (staff must, see ``accounts/second_factor.py``)."""
    if role not in STAFF_INVITE_ROLES:
        raise ValidationError({"role": ["Choose PWP, digital navigator or service admin."]})
    staff = _account_create(
        role=role,
        service=service,
        first_name=first_name,
        last_name=last_name,
        contact=ContactDetails(email=email),
        time_zone=service.time_zone,
    )
    audit_event_record(
        actor=by, action="staff.invite", target=staff, request=request, detail={"role": role}
    )
    return staff


@transaction.atomic
def contact_details_update(
    *, user: User, contact: ContactDetails, by: User, request: HttpRequest | None = None
) -> list[str]:
    """Change someone's email, mobile number and NHS number; returns the names of the fields
    that changed (the audit event lists the names, never the values)."""
    contact = contact_details_clean(contact, user=user)
    changed = [
        field
        for field in ("email", "phone_number", "nhs_number")
        if getattr(user, field) != getattr(contact, field)
    ]
    if not changed:
        return []
    for field in changed:
        setattr(user, field, getattr(contact, field))
    try:
        with transaction.atomic():
            user.save(update_fields=changed)
    except IntegrityError as error:
        raise ValidationError({"nhs_number": [NHS_NUMBER_TAKEN]}) from error
    audit_event_record(
        actor=by,
        action="contact_details.update",
        patient=user if user.is_patient else None,
        target=user,
        request=request,
        detail={"fields": changed},
    )
    return changed


class StaffChangeError(Exception):
    """A change to a member of staff that cannot be made; the message says what to do."""


@transaction.atomic
def staff_active_set(
    *, staff: User, active: bool, by: User, request: HttpRequest | None = None
) -> User:
    """Deactivate (no more sign-in; the account and its history stay) or reactivate a member
    of staff. The caller checks the caseload first (``console/staff``): care knows episodes,
    accounts does not."""
    if staff.role not in STAFF_INVITE_ROLES:
        raise StaffChangeError("Only staff accounts are managed here.")
    if staff.pk == by.pk and not active:
        raise StaffChangeError(
            "You cannot deactivate your own account. Ask another service admin to do it."
        )
    if staff.is_active == active:
        return staff
    staff.is_active = active
    staff.save(update_fields=["is_active"])
    audit_event_record(
        actor=by,
        action="staff.reactivate" if active else "staff.deactivate",
        target=staff,
        request=request,
    )
    return staff
