"""A risk alert whose email failed never hides the flag: it is in the app, beside the flag on
the flags page and the PWP's caseload, and counted in the navigator's queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from measures.services import questionnaire_response_record
from notifications.models import Notification, NotificationState
from safety.models import RiskFlag

FLAGGED = [0, 0, 0, 0, 0, 0, 0, 0, 1]
WARNING = "Email alert failed"


@pytest.fixture
def flag(episode) -> RiskFlag:
    questionnaire_response_record(patient=episode.patient, instrument_code="phq9", answers=FLAGGED)
    return RiskFlag.objects.get()


def _alert_ends(flag: RiskFlag, state: str) -> Notification:
    alert = Notification.objects.get(key__startswith=f"risk-flag:{flag.pk}:")
    alert.state = state
    alert.attempts = 5
    alert.retries_exhausted = state == NotificationState.DEAD
    alert.last_error = "SMTPServerDisconnected"
    alert.save()
    return alert


@pytest.mark.parametrize("state", [NotificationState.PENDING, NotificationState.DEAD])
def test_a_risk_alert_is_in_the_pwps_app_list_whatever_its_email_did(
    pwp_client, flag, state
) -> None:
    alert = _alert_ends(flag, state)
    page = pwp_client.get(reverse("notifications:inbox")).content.decode()
    assert alert.subject in page
    assert f"/clinician/flags/{flag.pk}/" in page
    assert "You have 1 unread notification" in page


def test_a_flag_whose_email_alert_died_shows_it_on_the_flags_page(pwp_client, flag) -> None:
    assert WARNING not in pwp_client.get(reverse("safety:flags")).content.decode()
    _alert_ends(flag, NotificationState.DEAD)
    page = pwp_client.get(reverse("safety:flags")).content.decode()
    assert WARNING in page
    assert "The PWP has not been told by email." in page


def test_a_flag_whose_email_alert_is_failing_shows_it_on_the_flag_page(pwp_client, flag) -> None:
    _alert_ends(flag, NotificationState.FAILED)
    page = pwp_client.get(reverse("safety:flag-detail", args=[flag.pk])).content.decode()
    assert WARNING in page


def test_the_duty_queue_shows_a_failed_alert_to_the_service_admin(
    service_admin_client, flag
) -> None:
    flag.route = "duty_queue"
    flag.pwp = None
    flag.save()
    _alert_ends(flag, NotificationState.DEAD)
    page = service_admin_client.get(reverse("safety:flags")).content.decode()
    assert WARNING in page
    assert "The duty team has not been told by email." in page


def test_the_pwps_caseload_shows_a_failed_alert(pwp_client, flag) -> None:
    _alert_ends(flag, NotificationState.DEAD)
    page = pwp_client.get(reverse("clinician:caseload")).content.decode()
    assert WARNING in page


def test_the_navigator_queue_counts_failed_staff_alerts_without_clinical_text(
    navigator_client, flag, pwp
) -> None:
    alert = _alert_ends(flag, NotificationState.DEAD)
    page = navigator_client.get(reverse("accounts:navigator-queue")).content.decode()
    assert "Alerts to staff not getting through (1)" in page
    assert pwp.display_name in page
    assert alert.subject not in page
    assert alert.body not in page
    assert flag.patient.display_name not in page.split('id="staff-alerts"')[1]
