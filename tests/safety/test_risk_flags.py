"""Risk flags: raised with the answers or not at all, routed to someone, closed with a note,
escalated when not reviewed in time."""

from __future__ import annotations

import datetime
import zoneinfo
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from care.models import AuditEvent, DutyQueueMember
from measures.models import QuestionnaireResponse
from measures.services import questionnaire_response_record
from notifications.models import Notification, NotificationState
from safety.models import RiskFlag, RiskFlagReason, RiskFlagRoute, RiskFlagStatus
from safety.selectors import open_risk_flags_for_episodes
from safety.services import (
    RiskFlagAlreadyClosed,
    duty_queue_members,
    risk_flag_close,
    risk_flags_escalate_overdue,
)
from safety.tasks import risk_flags_escalate
from safety.working_days import WorkingCalendar, working_time_after
from tests import factories

LONDON = zoneinfo.ZoneInfo("Europe/London")
ENGLAND = WorkingCalendar(zone=LONDON)
FLAGGED = [0, 1, 0, 1, 0, 1, 0, 1, 1]  # question 9 answered "Several days"
NOT_FLAGGED = [3, 3, 3, 3, 3, 3, 3, 3, 0]


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def answer(patient, answers=FLAGGED, now=None):
    return questionnaire_response_record(
        patient=patient, instrument_code="phq9", answers=answers, now=now
    )


def test_question_nine_above_zero_raises_a_flag_for_the_pwp_with_an_alert(episode, pwp) -> None:
    response = answer(episode.patient)
    flag = RiskFlag.objects.get()
    assert flag.source_response == response
    assert flag.status == RiskFlagStatus.OPEN
    assert flag.route == RiskFlagRoute.PWP
    assert flag.pwp == pwp
    assert flag.get_reason_display() == "Needs clinician review"
    alert = Notification.objects.get()
    assert alert.recipient == pwp
    assert alert.kind == "staff_alert"
    assert alert.key == f"risk-flag:{flag.pk}:{pwp.pk}"
    assert alert.body == "A patient on your caseload needs a clinician review."
    assert alert.link == f"/clinician/flags/{flag.pk}/"
    # No clinical content in the alert: no score, no question, no name.
    for text in (alert.subject, alert.body):
        assert "PHQ" not in text
        assert "9" not in text
        assert episode.patient.last_name not in text
    assert AuditEvent.objects.filter(action="risk_flag.raise", object_id=str(flag.pk)).exists()


def test_question_nine_at_zero_raises_nothing(episode) -> None:
    answer(episode.patient, NOT_FLAGGED)
    assert not RiskFlag.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("value", [1, 2, 3])
def test_every_positive_answer_to_question_nine_flags(episode, value) -> None:
    answer(episode.patient, [0] * 8 + [value])
    assert RiskFlag.objects.count() == 1


def test_a_failing_alert_insert_leaves_no_answers_and_no_flag(episode) -> None:
    with (
        mock.patch("safety.services.notification_enqueue", side_effect=IntegrityError("forced")),
        pytest.raises(IntegrityError),
    ):
        answer(episode.patient)
    assert not QuestionnaireResponse.objects.exists()
    assert not RiskFlag.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="risk_flag.raise").exists()


def test_a_failing_flag_insert_leaves_no_answers_and_no_alert(episode) -> None:
    with (
        mock.patch.object(RiskFlag.objects, "create", side_effect=IntegrityError("forced")),
        pytest.raises(IntegrityError),
    ):
        answer(episode.patient)
    assert not QuestionnaireResponse.objects.exists()
    assert not Notification.objects.exists()


def test_a_failing_audit_insert_leaves_nothing(episode) -> None:
    with (
        mock.patch("safety.services.audit_event_record", side_effect=IntegrityError("forced")),
        pytest.raises(IntegrityError),
    ):
        answer(episode.patient)
    assert not QuestionnaireResponse.objects.exists()
    assert not RiskFlag.objects.exists()
    assert not Notification.objects.exists()


def test_a_patient_without_a_pwp_routes_to_every_duty_queue_member(
    service, patient, service_admin
) -> None:
    second_admin = factories.ServiceAdminFactory.create(service=service)
    factories.make_episode(patient=patient, pwp=None, service=service)
    answer(patient)
    flag = RiskFlag.objects.get()
    assert flag.route == RiskFlagRoute.DUTY_QUEUE
    assert flag.pwp is None
    recipients = set(Notification.objects.values_list("recipient_id", "key"))
    assert recipients == {
        (service_admin.pk, f"risk-flag:{flag.pk}:{service_admin.pk}"),
        (second_admin.pk, f"risk-flag:{flag.pk}:{second_admin.pk}"),
    }
    assert all(
        body.startswith("A patient in your service")
        for body in Notification.objects.values_list("body", flat=True)
    )


def test_listed_duty_queue_members_replace_the_admins(
    service, pwp, other_pwp, service_admin
) -> None:
    DutyQueueMember.objects.create(service=service, staff=other_pwp)
    assert duty_queue_members(service=service) == [other_pwp]


def test_a_service_with_no_admin_still_routes_to_someone(patient) -> None:
    lonely = factories.ServiceFactory.create()
    superuser = factories.ServiceAdminFactory.create(service=None)
    factories.make_episode(patient=patient, pwp=None, service=lonely)
    answer(patient)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [superuser.pk]


def test_a_patient_between_episodes_is_still_flagged_to_the_duty_queue(
    patient, service_admin
) -> None:
    answer(patient)
    flag = RiskFlag.objects.get()
    assert flag.episode is None
    assert flag.route == RiskFlagRoute.DUTY_QUEUE
    assert Notification.objects.get().recipient == service_admin


# --- Review window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        (at(2026, 3, 2, 10), at(2026, 3, 3, 10)),  # Monday -> Tuesday
        (at(2026, 3, 6, 17), at(2026, 3, 9, 17)),  # Friday at closing -> Monday's close
        (at(2026, 3, 7, 11), at(2026, 3, 9, 17)),  # Saturday: Monday's working day
        (at(2026, 3, 8, 23, 30), at(2026, 3, 9, 17)),  # Sunday night
        (at(2026, 3, 9, 7, 30), at(2026, 3, 9, 17)),  # Monday before opening
        (at(2026, 3, 27, 12), at(2026, 3, 30, 12)),  # Friday before the clocks go forward
    ],
)
def test_one_working_day_skips_the_weekend(raised, due) -> None:
    assert working_time_after(start=raised, working_days=1, calendar=ENGLAND) == due


def test_the_service_sets_the_review_window(episode) -> None:
    from measures.models import MeasuresConfiguration

    MeasuresConfiguration.objects.create(service=episode.service, risk_review_working_days=3)
    answer(episode.patient, now=at(2026, 3, 5, 9))  # Thursday
    # Three working days from Thursday's opening: Thursday, Friday and Monday, to Monday's close.
    assert RiskFlag.objects.get().review_due_at == at(2026, 3, 9, 17)


# --- Escalation ---------------------------------------------------------------------------


def test_a_flag_not_reviewed_in_a_working_day_escalates_to_the_duty_queue(
    episode, pwp, service_admin
) -> None:
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):  # Friday afternoon
        answer(episode.patient)
    flag = RiskFlag.objects.get()
    with time_machine.travel(at(2026, 3, 9, 15, 59), tick=False):  # Monday, a minute early
        assert risk_flags_escalate() == 0
    flag.refresh_from_db()
    assert flag.escalated_at is None
    with time_machine.travel(at(2026, 3, 9, 16, 5), tick=False):
        assert risk_flags_escalate() == 1
        assert risk_flags_escalate() == 0  # a second sweep changes nothing
    flag.refresh_from_db()
    assert flag.escalated_at == at(2026, 3, 9, 16, 5)
    assert flag.status == RiskFlagStatus.OPEN
    escalation = Notification.objects.get(recipient=service_admin)
    assert escalation.key == f"risk-flag-escalated:{flag.pk}:{service_admin.pk}"
    assert "needs a clinician review" in escalation.body
    assert AuditEvent.objects.filter(action="risk_flag.escalate").count() == 1


def test_a_closed_flag_never_escalates(episode, pwp) -> None:
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        answer(episode.patient)
        risk_flag_close(flag=RiskFlag.objects.get(), by=pwp, note="Phoned; safety plan agreed.")
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):
        assert risk_flags_escalate_overdue() == 0


def test_escalation_works_through_many_flags_in_batches(service, pwp, service_admin) -> None:
    with time_machine.travel(at(2026, 3, 2, 9), tick=False):
        for _ in range(5):
            patient = factories.PatientFactory.create(service=service)
            factories.make_episode(patient=patient, pwp=pwp, service=service)
            answer(patient)
    assert risk_flags_escalate_overdue(now=at(2026, 3, 4, 9), batch_size=2) == 5
    assert not RiskFlag.objects.filter(escalated_at__isnull=True).exists()


# --- Closing ------------------------------------------------------------------------------


def test_closing_needs_a_note(episode, pwp) -> None:
    answer(episode.patient)
    flag = RiskFlag.objects.get()
    with pytest.raises(ValidationError):
        risk_flag_close(flag=flag, by=pwp, note="   ")
    flag.refresh_from_db()
    assert flag.status == RiskFlagStatus.OPEN


def test_the_database_refuses_a_closed_flag_without_a_note(episode, pwp) -> None:
    answer(episode.patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFlag.objects.update(
            status="closed", reviewed_by=pwp, reviewed_at=datetime.datetime.now(datetime.UTC)
        )


def test_closing_records_who_when_and_what_and_withdraws_unsent_alerts(episode, pwp) -> None:
    answer(episode.patient)
    flag = risk_flag_close(flag=RiskFlag.objects.get(), by=pwp, note="Called, safe, plan made.")
    assert flag.status == RiskFlagStatus.CLOSED
    assert flag.reviewed_by == pwp
    assert flag.reviewed_at is not None
    assert flag.review_note == "Called, safe, plan made."
    assert Notification.objects.get().state == NotificationState.WITHDRAWN
    event = AuditEvent.objects.get(action="risk_flag.close")
    assert event.actor == pwp
    assert event.patient == episode.patient
    assert "Called" not in str(event.detail)


def test_closing_twice_is_refused(episode, pwp) -> None:
    answer(episode.patient)
    flag = RiskFlag.objects.get()
    risk_flag_close(flag=flag, by=pwp, note="First review.")
    with pytest.raises(RiskFlagAlreadyClosed):
        risk_flag_close(flag=flag, by=pwp, note="Second review.")


def test_open_flags_for_episodes_is_one_query(
    episode, other_episode, django_assert_max_num_queries
) -> None:
    answer(episode.patient)
    answer(episode.patient)
    with django_assert_max_num_queries(1):
        flags = open_risk_flags_for_episodes(episode_ids=[episode.pk, other_episode.pk])
    assert len(flags[episode.pk]) == 2
    assert flags[other_episode.pk] == []


def test_no_flag_has_a_risk_grade() -> None:
    field_names = {field.name for field in RiskFlag._meta.get_fields()}
    assert not field_names & {"grade", "level", "severity", "risk_level"}
    assert [value for value, _ in RiskFlagReason.choices] == ["needs_clinician_review"]
    assert RiskFlag._meta.get_field("reason").choices == RiskFlagReason.choices
