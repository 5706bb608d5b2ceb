"""Mobile numbers: validated with phonenumbers and stored as E.164 (+447700900123)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

# A number written without a country code is read as a UK number.
DEFAULT_REGION = "GB"

INVALID_MESSAGE = "Enter a mobile phone number, like 07911 123456 or +44 7911 123456."


def phone_number_normalise(value: str) -> str:
    """The number in E.164, or "" for an empty value; ValidationError when it is not a number."""
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone_number") from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone_number")
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(
            "This looks like a landline. Enter a mobile number so that texts can reach you.",
            code="not_a_mobile",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_number_display(e164: str) -> str:
    """A stored number as people write it (07911 123456 for a UK number)."""
    if not e164:
        return ""
    parsed = phonenumbers.parse(e164, DEFAULT_REGION)
    if parsed.country_code == 44:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
