from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.phone import phone_number_display, phone_number_normalise


@pytest.mark.parametrize(
    "written", ["07911 123456", "07911123456", "+44 7911 123456", "0044 7911 123 456"]
)
def test_uk_mobile_numbers_are_stored_as_e164(written) -> None:
    assert phone_number_normalise(written) == "+447911123456"


def test_an_empty_number_stays_empty() -> None:
    assert phone_number_normalise("  ") == ""


@pytest.mark.parametrize("written", ["12345", "not a number", "07700 9009"])
def test_something_that_is_not_a_number_is_refused(written) -> None:
    with pytest.raises(ValidationError, match="Enter a mobile phone number"):
        phone_number_normalise(written)


def test_a_landline_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="landline"):
        phone_number_normalise("020 7946 0000")


def test_numbers_are_shown_as_people_write_them() -> None:
    assert phone_number_display("+447911123456") == "07911 123456"
    assert phone_number_display("") == ""
