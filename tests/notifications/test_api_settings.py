"""GET/PUT /api/v1/notifications/settings/: the web form's checks, the service's caps as the
ceiling, and the denials (issue 20)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import device_token_issue
from notifications.models import NotificationPreference, ServiceNotificationPolicy

URL = "/api/v1/notifications/settings/"
VALID: dict[str, Any] = {
    "contact_by": "email",
    "in_app": True,
    "mood_reminder": True,
    "module_nudge": False,
    "appointment_reminder": True,
    "questionnaire_due": True,
    "message_received": True,
    "reminder_time": "18:30",
    "weekly_max": 3,
    "quiet_start": "21:00",
    "quiet_end": "08:00",
    "paused_until": None,
}


def token_client(user: User) -> APIClient:
    _, key = device_token_issue(user=user, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(patient: User, episode) -> APIClient:
    return token_client(patient)


def test_the_defaults_come_with_the_choices_allowed(api: APIClient) -> None:
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["contact_by"], body["reminder_time"], body["weekly_max"]) == (
        "email",
        "19:00",
        7,
    )
    assert body["contact_by_choices"] == ["email", "none"]
    assert body["weekly_max_ceiling"] == 7


def test_a_patient_changes_their_choices(api: APIClient, patient: User) -> None:
    response = api.put(URL, VALID, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["module_nudge"] is False
    preference = NotificationPreference.objects.get(patient=patient)
    assert (preference.weekly_max, preference.reminder_time.isoformat()) == (3, "18:30:00")
    assert api.get(URL).json()["weekly_max"] == 3


def test_more_a_week_than_the_service_allows_is_400(api: APIClient, patient: User, service) -> None:
    ServiceNotificationPolicy.objects.create(service=service, max_per_week=4)
    response = api.put(URL, {**VALID, "weekly_max": 5}, format="json")
    assert response.status_code == 400
    assert "weekly_max" in response.json()
    assert not NotificationPreference.objects.filter(patient=patient).exists()


def test_a_reminder_in_quiet_hours_is_400_in_the_forms_words(api: APIClient) -> None:
    response = api.put(URL, {**VALID, "reminder_time": "22:00"}, format="json")
    assert response.status_code == 400
    assert response.json()["reminder_time"][0].startswith("Choose a time outside your quiet hours")


def test_text_messages_need_a_mobile_number(api: APIClient, patient: User, settings) -> None:
    settings.GOVUK_NOTIFY_API_KEY = "key"
    settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID = "template"
    assert api.put(URL, {**VALID, "contact_by": "sms"}, format="json").status_code == 400
    patient.phone_number = "+447700900123"
    patient.save()
    assert "sms" in api.get(URL).json()["contact_by_choices"]
    response = api.put(URL, {**VALID, "contact_by": "sms"}, format="json")
    assert response.status_code == 200
    assert response.json()["contact_by"] == "sms"


def test_a_missing_or_mistyped_field_is_400(api: APIClient) -> None:
    missing = dict(VALID)
    del missing["mood_reminder"]
    assert "mood_reminder" in api.put(URL, missing, format="json").json()
    wrong = api.put(URL, {**VALID, "reminder_time": "seven"}, format="json")
    assert wrong.status_code == 400
    assert "reminder_time" in wrong.json()


def test_a_past_pause_is_400(api: APIClient) -> None:
    response = api.put(URL, {**VALID, "paused_until": "2020-01-01"}, format="json")
    assert response.status_code == 400
    assert "paused_until" in response.json()


@pytest.mark.parametrize("method", ["get", "put"])
def test_anonymous_gets_401(db: None, method: str) -> None:
    client = APIClient()
    response = client.get(URL) if method == "get" else client.put(URL, VALID, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("persona", ["pwp", "navigator", "service_admin"])
@pytest.mark.parametrize("method", ["get", "put"])
def test_staff_get_403(request, persona: str, method: str) -> None:
    user = request.getfixturevalue(persona)
    client = token_client(user)
    response = client.get(URL) if method == "get" else client.put(URL, VALID, format="json")
    assert response.status_code == 403
    assert not NotificationPreference.objects.exists()


def test_my_choices_are_mine_alone(
    api: APIClient, patient: User, other_patient: User, other_episode
) -> None:
    token_client(other_patient).put(URL, {**VALID, "weekly_max": 1}, format="json")
    assert api.get(URL).json()["weekly_max"] == 7
