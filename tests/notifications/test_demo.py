from __future__ import annotations

import pytest
from django.core.management import call_command

from care.models import Service
from notifications.models import Notification, NotificationPreference, NotificationState
from notifications.selectors import patients_with_failing_notifications

pytestmark = pytest.mark.django_db


def test_demo_data_has_preferences_history_and_a_failing_patient() -> None:
    call_command("seed_demo", patients=4, days=7, seed=3)
    paused = NotificationPreference.objects.get(patient__username="patient001")
    assert paused.paused_until is not None
    email_only = NotificationPreference.objects.get(patient__username="patient002")
    assert email_only.contact_by == "email"
    assert email_only.in_app is False
    main = Notification.objects.filter(recipient__username="patient")
    assert main.filter(state=NotificationState.SENT).count() == 7
    assert main.filter(state=NotificationState.HELD).count() == 1
    service = Service.objects.get(slug="demo-talking-therapies")
    failing = patients_with_failing_notifications(service=service)
    assert [patient.username for patient in failing] == ["patient003"]
