"""A patient adds and changes their mobile number on /account/ (issue 20): checked with
phonenumbers, stored as E.164, audited; then text messages can be chosen."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.phone import phone_number_normalise
from care.models import AuditEvent


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07911 123456", "+447911123456"),
        ("07911123456", "+447911123456"),
        ("+44 7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_numbers_are_stored_in_e164(typed: str, stored: str) -> None:
    assert phone_number_normalise(typed) == stored


def test_a_patient_adds_a_number(patient_client: Client, patient: User) -> None:
    page = patient_client.get("/account/").content.decode()
    assert "Add your mobile number" in page
    response = patient_client.post("/account/", {"phone_number": "07911 123456"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone_number == "+447911123456"
    page = patient_client.get("/account/").content.decode()
    assert "07911 123456" in page
    assert "Change your mobile number" in page
    event = AuditEvent.objects.get(action="account.phone_number_change")
    assert event.detail == {"change": "added"}
    assert "7911" not in str(event.detail)


def test_a_patient_changes_and_removes_their_number(patient_client: Client, patient: User) -> None:
    patient_client.post("/account/", {"phone_number": "07911 123456"})
    patient_client.post("/account/", {"phone_number": "07911 123789"})
    patient.refresh_from_db()
    assert patient.phone_number == "+447911123789"
    patient_client.post("/account/", {"phone_number": ""})
    patient.refresh_from_db()
    assert patient.phone_number == ""
    changes = list(
        AuditEvent.objects.filter(action="account.phone_number_change")
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert changes == [{"change": "added"}, {"change": "changed"}, {"change": "removed"}]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "Enter a mobile phone number, like 07911 123456"),
        ("not a number", "Enter a mobile phone number, like 07911 123456"),
        ("020 7946 0000", "This looks like a landline"),
    ],
)
def test_a_wrong_number_is_refused_clearly_and_the_old_one_kept(
    patient_client: Client, patient: User, typed: str, message: str
) -> None:
    patient_client.post("/account/", {"phone_number": "07911 123456"})
    response = patient_client.post("/account/", {"phone_number": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    # What the person typed stays in the box to be corrected.
    assert typed in page
    patient.refresh_from_db()
    assert patient.phone_number == "+447911123456"


def test_staff_have_no_number_form(pwp_client: Client) -> None:
    assert "Add your mobile number" not in pwp_client.get("/account/").content.decode()


def test_with_a_number_text_messages_can_be_chosen(
    patient_client: Client, patient: User, settings
) -> None:
    settings.GOVUK_NOTIFY_API_KEY = "key"
    settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID = "template"
    assert "By text message" not in patient_client.get("/notifications/settings/").content.decode()
    patient_client.post("/account/", {"phone_number": "07911 123456"})
    assert "By text message" in patient_client.get("/notifications/settings/").content.decode()


def test_the_navigator_finds_a_patient_by_their_number_as_typed(patient: User) -> None:
    from accounts.services import _patient_matching_contact

    patient.phone_number = "+447911123456"
    patient.save()
    assert _patient_matching_contact("07911 123456") == patient
