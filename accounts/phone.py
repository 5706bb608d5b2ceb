"""Mobile numbers: checked with ``phonenumbers`` (a UK number unless it starts with + and a
country code), stored in E.164 (+447911123456) so that the text-message provider and the
navigator's search read it one way. Changing a person's own number is audited."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import User
from care.services import audit_event_record

# A number written without a country code is read as a UK number.
DEFAULT_REGION = "GB"

INVALID_MESSAGE = "Enter a mobile phone number, like 07911 123456 or +44 7911 123456."
NOT_MOBILE_MESSAGE = (
    "This looks like a landline. Enter a mobile number so that texts can reach you."
)
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def phone_number_normalise(value: str, *, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, or "" for an empty value; ValidationError when it is not a mobile
    number, with a message for the person."""
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone_number") from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone_number")
    if phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        raise ValidationError(NOT_MOBILE_MESSAGE, code="not_a_mobile")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_number_display(value: str) -> str:
    """As people write it: 07911 123456 for a UK number, +33 6 12 34 56 78 for another."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    # By country code, not region: 07911 numbers count as Guernsey's, and are still written 07911.
    if parsed.country_code == phonenumbers.country_code_for_region(DEFAULT_REGION):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def user_phone_number_set(
    *, user: User, phone_number: str, request: HttpRequest | None = None
) -> User:
    """Add, change or (with an empty value) remove the person's mobile number."""
    new = phone_number_normalise(phone_number)
    if new == user.phone_number:
        return user
    change = "removed" if not new else ("added" if not user.phone_number else "changed")
    user.phone_number = new
    user.save(update_fields=["phone_number"])
    # The audit trail says what happened, not the number itself.
    audit_event_record(
        actor=user,
        action="account.phone_number_change",
        patient=user if user.is_patient else None,
        target=user,
        request=request,
        detail={"change": change},
    )
    return user
