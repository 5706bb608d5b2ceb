"""The patient's settings page and in-app list: plain words, denials, and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationState,
    ServiceNotificationPolicy,
)
from notifications.selectors import unread_count

pytestmark = pytest.mark.django_db

VALID = {
    "contact_by": "email",
    "in_app": "on",
    "mood_reminder": "on",
    "appointment_reminder": "on",
    "message_received": "on",
    "reminder_time": "20:15",
    "weekly_max": "4",
    "quiet_start": "22:00",
    "quiet_end": "07:30",
    "paused_until": "",
}


def _sent(user, number: int, read: bool = False) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        key=f"page-test:{user.pk}:{number}",
        recipient=user,
        patient=user,
        kind=NotificationKind.MESSAGE_RECEIVED,
        channel="in_app",
        state=NotificationState.SENT,
        subject=f"Message {number}",
        body="Sign in to read it.",
        link="/",
        sent_at=now - datetime.timedelta(minutes=number),
        read_at=now if read else None,
    )


def test_anonymous_is_sent_to_sign_in(client) -> None:
    for path in ("/notifications/", "/notifications/settings/"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_staff_cannot_open_the_patient_settings_page(pwp_client, navigator_client) -> None:
    assert pwp_client.get("/notifications/settings/").status_code == 403
    assert navigator_client.get("/notifications/settings/").status_code == 403


def test_settings_page_shows_the_defaults_in_plain_words(patient_client) -> None:
    response = patient_client.get("/notifications/settings/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "How should we contact you?" in page
    assert 'value="19:00"' in page
    assert 'value="21:00"' in page
    assert 'value="08:00"' in page
    assert "at most 7 a week and 1 a day" in page


def test_patient_saves_their_choices(patient_client, patient) -> None:
    response = patient_client.post("/notifications/settings/", VALID)
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(patient=patient)
    assert preference.reminder_time == datetime.time(20, 15)
    assert preference.weekly_max == 4
    assert preference.module_nudge is False
    assert preference.questionnaire_due is False
    assert preference.mood_reminder is True


def test_a_reminder_inside_quiet_hours_is_refused_with_a_reason(patient_client, patient) -> None:
    response = patient_client.post("/notifications/settings/", {**VALID, "reminder_time": "22:30"})
    assert response.status_code == 400
    assert "Choose a time outside your quiet hours" in response.content.decode()
    assert not NotificationPreference.objects.filter(patient=patient).exists()


def test_a_patient_cannot_choose_more_than_the_service_allows(
    patient_client, patient, service
) -> None:
    ServiceNotificationPolicy.objects.create(service=service, max_per_week=3)
    page = patient_client.get("/notifications/settings/").content.decode()
    assert "4 a week" not in page
    assert "3 a week" in page
    response = patient_client.post("/notifications/settings/", {**VALID, "weekly_max": "5"})
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(patient=patient).exists()


def test_text_messages_are_offered_only_when_they_can_be_sent(
    patient_client, patient, settings
) -> None:
    assert "By text message" not in patient_client.get("/notifications/settings/").content.decode()
    settings.GOVUK_NOTIFY_API_KEY = "key"
    settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID = "template"
    patient.phone_number = "07700900123"
    patient.save()
    assert "By text message" in patient_client.get("/notifications/settings/").content.decode()


def test_inbox_lists_only_my_notifications_with_unread_count(
    patient_client, patient, other_patient
) -> None:
    _sent(patient, 1)
    _sent(patient, 2, read=True)
    _sent(other_patient, 3)
    response = patient_client.get("/notifications/")
    page = response.content.decode()
    assert "Message 1" in page
    assert "Message 2" in page
    assert "Message 3" not in page
    assert "You have 1 unread notification." in page
    assert unread_count(user=patient) == 1


def test_mark_all_as_read(patient_client, patient) -> None:
    _sent(patient, 1)
    _sent(patient, 2)
    assert patient_client.post("/notifications/").status_code == 302
    assert unread_count(user=patient) == 0


@pytest.mark.parametrize("count", [1, 40])
def test_inbox_query_count_does_not_grow_with_notifications(
    patient_client, patient, count, django_assert_max_num_queries
) -> None:
    for number in range(count):
        _sent(patient, number)
    # The first request of a browser session records the session; measure a later one.
    patient_client.get("/notifications/")
    with django_assert_max_num_queries(6):
        assert patient_client.get("/notifications/").status_code == 200


def test_settings_page_query_count(patient_client, django_assert_max_num_queries) -> None:
    patient_client.get("/notifications/settings/")
    with django_assert_max_num_queries(7):
        assert patient_client.get("/notifications/settings/").status_code == 200


def test_a_pause_ending_in_the_past_is_refused_with_a_reason(patient_client, patient) -> None:
    response = patient_client.post(
        "/notifications/settings/", {**VALID, "paused_until": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "Choose today or a date in the future" in response.content.decode()
    assert not NotificationPreference.objects.filter(
        patient=patient, paused_until__isnull=False
    ).exists()
