"""The optional NHS number on a patient: ten digits with a Modulus 11 check digit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.nhs_number import validate_nhs_number


@pytest.mark.parametrize("value", ["9434765919", "4010232137"])
def test_a_valid_nhs_number_is_accepted(value: str) -> None:
    validate_nhs_number(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9434765918", "last digit"),
        ("943 476 5919", "10 digits"),
        ("943476591", "10 digits"),
        # The first nine digits give a check digit of 10: no NHS number starts with them.
        ("1000000010", "last digit"),
    ],
)
def test_an_invalid_nhs_number_is_refused_with_a_message(value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_nhs_number(value)


def test_a_patient_without_an_nhs_number_is_valid(patient: User) -> None:
    patient.full_clean()
    assert patient.nhs_number == ""


def test_two_patients_cannot_share_an_nhs_number(patient: User, other_patient: User) -> None:
    patient.nhs_number = "9434765919"
    patient.save()
    other_patient.nhs_number = "9434765919"
    with pytest.raises(IntegrityError), transaction.atomic():
        other_patient.save()
