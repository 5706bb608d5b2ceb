"""A service's weekly cap below a patient's own choice is a ceiling: applied, shown to the
patient, and never written over their choice (issue #18)."""

from __future__ import annotations

import re

import pytest

from notifications.models import NotificationPreference, ServiceNotificationPolicy
from notifications.preferences import patient_settings_by_id
from notifications.services import notification_kind_stop, notification_preference_update

pytestmark = pytest.mark.django_db


def _form_as_shown(page: str) -> dict[str, str]:
    """What a browser would send back if the patient pressed Save without changing anything."""
    data: dict[str, str] = {}
    for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*checked', page
    ):
        data[name] = value
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"[^>]*checked', page):
        data[name] = "on"
    for name in re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="checkbox"[^>]*checked', page):
        data[name] = "on"
    for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*type="(?:time|date)"[^>]*value="([^"]*)"', page
    ):
        data[name] = value
    for name, value in re.findall(
        r'<input[^>]*type="(?:time|date)"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page
    ):
        data[name] = value
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        first = re.search(r'<option value="([^"]*)"', options)
        # With nothing marked selected, a browser sends the first option.
        data[name] = (selected or first).group(1)  # type: ignore[union-attr]
    data["paused_until"] = data.get("paused_until", "")
    return data


def _lower_the_cap(service, weekly: int) -> None:
    ServiceNotificationPolicy.objects.update_or_create(
        service=service, defaults={"max_per_week": weekly, "max_per_day": 1}
    )


def test_saving_the_page_unchanged_under_a_lower_cap_keeps_the_patients_choice(
    patient_client, patient, service
) -> None:
    notification_preference_update(patient=patient, service=service, weekly_max=5)
    _lower_the_cap(service, 2)

    page = patient_client.get("/notifications/settings/").content.decode()
    response = patient_client.post("/notifications/settings/", _form_as_shown(page))

    assert response.status_code == 302
    assert NotificationPreference.objects.get(patient=patient).weekly_max == 5


def test_the_page_shows_the_patients_choice_and_the_service_ceiling(
    patient_client, patient, service
) -> None:
    notification_preference_update(patient=patient, service=service, weekly_max=5)
    _lower_the_cap(service, 2)

    page = patient_client.get("/notifications/settings/").content.decode()

    assert re.search(r'<option value="5"[^>]*selected', page)
    assert "Your service sends at most 2 a week" in page


def test_the_ceiling_is_what_the_budget_applies(patient, episode, service) -> None:
    notification_preference_update(patient=patient, service=service, weekly_max=5)
    _lower_the_cap(service, 2)

    assert patient_settings_by_id([patient.pk])[patient.pk].weekly_max == 2

    _lower_the_cap(service, 7)
    # The cap raised again: the patient's own choice applies, it was never overwritten.
    assert patient_settings_by_id([patient.pk])[patient.pk].weekly_max == 5


def test_a_new_choice_above_the_ceiling_is_still_refused(patient_client, patient, service) -> None:
    notification_preference_update(patient=patient, service=service, weekly_max=2)
    _lower_the_cap(service, 3)

    page = patient_client.get("/notifications/settings/").content.decode()
    response = patient_client.post(
        "/notifications/settings/", {**_form_as_shown(page), "weekly_max": "5"}
    )

    assert response.status_code == 400
    assert NotificationPreference.objects.get(patient=patient).weekly_max == 2


def test_a_stop_link_works_for_a_patient_whose_choice_is_above_the_ceiling(
    patient, episode, service
) -> None:
    notification_preference_update(patient=patient, service=service, weekly_max=5)
    _lower_the_cap(service, 2)

    preference = notification_kind_stop(patient=patient, kind="mood_reminder")

    assert preference.mood_reminder is False
    assert preference.weekly_max == 5
