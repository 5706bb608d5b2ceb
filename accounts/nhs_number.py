"""The NHS number: ten digits whose last is a Modulus 11 check digit (NHS Data Dictionary)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid NHS number starts with them
    (the Modulus 11 remainder gives 10)."""
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, weights, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def validate_nhs_number(value: str) -> None:
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        raise ValidationError("An NHS number is 10 digits, with no spaces, e.g. 9434765919.")
    if nhs_number_check_digit(value[:9]) != int(value[9]):
        raise ValidationError(
            "This is not a valid NHS number: its last digit does not match the others. "
            "Check it against the patient's letter or NHS App."
        )
