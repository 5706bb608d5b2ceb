"""Fixtures for notification tests: patients in treatment, a clock, and fake providers."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from care.models import Service
from notifications.models import Notification, NotificationState
from notifications.services import RunResult, notifications_run_once
from tests import factories

LONDON = zoneinfo.ZoneInfo("Europe/London")


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _notification_settings(settings: Any) -> None:
    settings.BCBT_BASE_URL = "http://testserver"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GOVUK_NOTIFY_API_KEY = ""
    # Tests send in bursts at a frozen moment; the rate limit has its own tests.
    settings.NOTIFICATIONS_SEND_RATES = {"email": 0.0, "sms": 0.0, "in_app": 0.0}


@pytest.fixture
def patient_in_treatment(service: Service, pwp: User) -> Callable[..., User]:
    """Make a patient with an active episode, started well away from the dates tests use."""

    def make(username: str, **fields: Any) -> User:
        patient = factories.PatientFactory.create(username=username, service=service, **fields)
        factories.make_episode(
            patient=patient, pwp=pwp, service=service, started_on=datetime.date(2025, 1, 6)
        )
        return patient

    return make


@pytest.fixture
def run() -> Callable[[datetime.datetime], RunResult]:
    return lambda moment: notifications_run_once(now=moment)


def sent_to(user: User) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, state=NotificationState.SENT).order_by(
            "sent_at", "id"
        )
    )


class FakeNotifyClient:
    """Stands in for GOV.UK Notify (it leaves the machine): records what would be sent."""

    sent: list[dict[str, Any]] = []
    timeouts: list[float] = []

    def __init__(self, api_key: str, base_url: str = "", timeout: float = 30) -> None:
        self.api_key = api_key
        FakeNotifyClient.timeouts.append(timeout)

    def get_all_notifications(self, reference: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Notify's search by our reference, over what it has accepted."""
        found = [
            {"id": f"notify-{number}", "reference": sent.get("reference")}
            for number, sent in enumerate(FakeNotifyClient.sent, start=1)
            if sent.get("reference") == reference
        ]
        return {"notifications": found}

    def send_email_notification(self, **kwargs: Any) -> dict[str, Any]:
        FakeNotifyClient.sent.append({"type": "email", **kwargs})
        return {"id": f"notify-{len(FakeNotifyClient.sent)}"}

    def send_sms_notification(self, **kwargs: Any) -> dict[str, Any]:
        FakeNotifyClient.sent.append({"type": "sms", **kwargs})
        return {"id": f"notify-{len(FakeNotifyClient.sent)}"}


@pytest.fixture
def fake_notify(settings: Any, monkeypatch: pytest.MonkeyPatch) -> type[FakeNotifyClient]:
    settings.GOVUK_NOTIFY_API_KEY = "test-key"
    settings.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    FakeNotifyClient.sent = []
    FakeNotifyClient.timeouts = []
    monkeypatch.setattr("notifications.channels.NotificationsAPIClient", FakeNotifyClient)
    return FakeNotifyClient
