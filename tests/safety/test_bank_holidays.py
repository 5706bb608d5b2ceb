"""Working time knows the bank holidays of the service's nation (the ``holidays`` package) and
the service's working hours and days."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from care.models import AuditEvent, Nation
from measures.services import questionnaire_response_record
from safety.models import RiskFlag
from safety.tasks import risk_flags_escalate
from safety.working_days import WorkingCalendar, bank_holidays, working_time_after

LONDON = zoneinfo.ZoneInfo("Europe/London")
FLAGGED = [0, 1, 0, 1, 0, 1, 0, 1, 1]
ENGLAND = WorkingCalendar(zone=LONDON, nation=Nation.ENGLAND_AND_WALES)
SCOTLAND = WorkingCalendar(zone=LONDON, nation=Nation.SCOTLAND)
NORTHERN_IRELAND = WorkingCalendar(zone=LONDON, nation=Nation.NORTHERN_IRELAND)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        # Christmas Day (Friday), the weekend and Boxing Day's substitute (Monday 28th).
        (at(2026, 12, 24, 10), at(2026, 12, 29, 10)),
        (at(2026, 12, 25, 10), at(2026, 12, 29, 17)),  # raised on the holiday: Tuesday's close
        (at(2026, 12, 24, 9), at(2026, 12, 24, 17)),  # at opening: the whole day is that day
        (at(2026, 4, 2, 15), at(2026, 4, 7, 15)),  # Maundy Thursday -> after Easter Monday
        (at(2026, 5, 22, 10), at(2026, 5, 26, 10)),  # Friday before the spring bank holiday
        (at(2027, 12, 24, 12), at(2027, 12, 29, 12)),  # both Christmas substitutes, 27th and 28th
        (at(2027, 12, 31, 12), at(2028, 1, 4, 12)),  # New Year's Day substitute, Monday 3rd
    ],
)
def test_one_working_day_skips_bank_holidays(raised, due) -> None:
    assert working_time_after(start=raised, working_days=1, calendar=ENGLAND) == due


def test_a_flag_raised_on_christmas_eve_escalates_only_after_the_holidays(
    episode, service_admin
) -> None:
    with time_machine.travel(at(2026, 12, 24, 10), tick=False):  # Thursday 24 December 2026
        questionnaire_response_record(
            patient=episode.patient, instrument_code="phq9", answers=FLAGGED
        )
    flag = RiskFlag.objects.get()
    # Seven hours on the 24th; the 25th, the weekend and the 28th (Boxing Day's substitute) are
    # not working days; the last hour is 09:00 to 10:00 on Tuesday the 29th.
    assert flag.review_due_at == at(2026, 12, 29, 10)
    for moment in (at(2026, 12, 25, 10, 1), at(2026, 12, 28, 10, 1), at(2026, 12, 29, 9, 59)):
        with time_machine.travel(moment, tick=False):
            assert risk_flags_escalate() == 0
    with time_machine.travel(at(2026, 12, 29, 10, 1), tick=False):
        assert risk_flags_escalate() == 1


@pytest.mark.parametrize(
    ("raised", "due_in_scotland", "due_in_england"),
    [
        # 1 January 2026 is everyone's; Friday 2 January only Scotland's.
        (at(2025, 12, 31, 12), at(2026, 1, 5, 12), at(2026, 1, 2, 12)),
        # St Andrew's Day: Monday 30 November 2026.
        (at(2026, 11, 27, 12), at(2026, 12, 1, 12), at(2026, 11, 30, 12)),
        # Easter Monday is not a Scottish bank holiday.
        (at(2026, 4, 2, 12), at(2026, 4, 6, 12), at(2026, 4, 7, 12)),
    ],
)
def test_scotland_keeps_the_second_of_january_and_st_andrews_day(
    raised, due_in_scotland, due_in_england
) -> None:
    assert working_time_after(start=raised, working_days=1, calendar=SCOTLAND) == due_in_scotland
    assert working_time_after(start=raised, working_days=1, calendar=ENGLAND) == due_in_england


@pytest.mark.parametrize(
    ("raised", "due_in_northern_ireland", "due_in_england"),
    [
        # St Patrick's Day: Tuesday 17 March 2026.
        (at(2026, 3, 16, 12), at(2026, 3, 18, 12), at(2026, 3, 17, 12)),
        # The Twelfth: Monday 12 July 2027.
        (at(2027, 7, 9, 12), at(2027, 7, 13, 12), at(2027, 7, 12, 12)),
        # In 2026 the 12th is a Sunday: Monday the 13th is the substitute.
        (at(2026, 7, 10, 12), at(2026, 7, 14, 12), at(2026, 7, 13, 12)),
    ],
)
def test_northern_ireland_keeps_st_patricks_day_and_the_twelfth(
    raised, due_in_northern_ireland, due_in_england
) -> None:
    assert (
        working_time_after(start=raised, working_days=1, calendar=NORTHERN_IRELAND)
        == due_in_northern_ireland
    )
    assert working_time_after(start=raised, working_days=1, calendar=ENGLAND) == due_in_england


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        # Five minutes on Friday, the other seven hours fifty-five on Monday.
        (at(2026, 3, 6, 16, 55), at(2026, 3, 9, 16, 55)),
        # Monday 25 May 2026 is the spring bank holiday: Tuesday.
        (at(2026, 5, 22, 16, 55), at(2026, 5, 26, 16, 55)),
        # Across the clocks going forward (Sunday 29 March 2026): still 16:55 on the wall clock.
        (at(2026, 3, 27, 16, 55), at(2026, 3, 30, 16, 55)),
    ],
)
def test_a_flag_raised_at_16_55_on_a_friday_is_due_at_16_55_on_the_next_working_day(
    raised, due
) -> None:
    assert working_time_after(start=raised, working_days=1, calendar=ENGLAND) == due


def test_the_services_hours_and_days_set_the_review_window(episode) -> None:
    service = episode.service
    service.opens_at, service.closes_at = datetime.time(8, 0), datetime.time(20, 0)
    service.working_weekdays = "1234"  # Monday to Thursday
    service.save()
    with time_machine.travel(at(2026, 3, 5, 19), tick=False):  # Thursday 19:00
        questionnaire_response_record(
            patient=episode.patient, instrument_code="phq9", answers=FLAGGED
        )
    # One hour on Thursday; Friday is not a working day; eleven hours from 08:00 on Monday.
    assert RiskFlag.objects.get().review_due_at == at(2026, 3, 9, 19)


def test_a_scottish_service_counts_its_own_bank_holidays(episode) -> None:
    episode.service.nation = Nation.SCOTLAND
    episode.service.save()
    with time_machine.travel(at(2026, 11, 27, 12), tick=False):  # Friday before St Andrew's Day
        questionnaire_response_record(
            patient=episode.patient, instrument_code="phq9", answers=FLAGGED
        )
    assert RiskFlag.objects.get().review_due_at == at(2026, 12, 1, 12)


def test_england_and_wales_weekday_holidays_in_2026_are_the_published_eight() -> None:
    weekdays = {
        day for day in bank_holidays(nation="england-and-wales", year=2026) if day.weekday() < 5
    }
    assert weekdays == {
        datetime.date(2026, 1, 1),
        datetime.date(2026, 4, 3),
        datetime.date(2026, 4, 6),
        datetime.date(2026, 5, 4),
        datetime.date(2026, 5, 25),
        datetime.date(2026, 8, 31),
        datetime.date(2026, 12, 25),
        datetime.date(2026, 12, 28),
    }


def test_the_service_admin_sets_the_working_calendar_in_django_admin(
    service_admin, service
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(service_admin)
    response = client.post(
        f"/admin/care/service/{service.pk}/change/",
        {
            "name": service.name,
            "slug": service.slug,
            "time_zone": service.time_zone,
            "nation": Nation.NORTHERN_IRELAND,
            "opens_at": "08:30",
            "closes_at": "16:30",
            "working_weekdays": ["1", "2", "3", "4", "5", "6"],
            "session_plan-TOTAL_FORMS": "0",
            "session_plan-INITIAL_FORMS": "0",
            "duty_queue-TOTAL_FORMS": "0",
            "duty_queue-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.nation, service.opens_at, service.closes_at, service.working_weekdays) == (
        Nation.NORTHERN_IRELAND,
        datetime.time(8, 30),
        datetime.time(16, 30),
        "123456",
    )
    event = AuditEvent.objects.get(action="service.working_calendar")
    assert event.actor == service_admin
    assert event.detail == {"changed": ["nation", "opens_at", "closes_at", "working_weekdays"]}


def test_hours_that_close_before_they_open_are_refused_with_a_message(
    service_admin, service
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(service_admin)
    response = client.post(
        f"/admin/care/service/{service.pk}/change/",
        {
            "name": service.name,
            "slug": service.slug,
            "time_zone": service.time_zone,
            "nation": Nation.ENGLAND_AND_WALES,
            "opens_at": "17:00",
            "closes_at": "09:00",
            "working_weekdays": [],
            "session_plan-TOTAL_FORMS": "0",
            "session_plan-INITIAL_FORMS": "0",
            "duty_queue-TOTAL_FORMS": "0",
            "duty_queue-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "The service must open before it closes." in response.content.decode()
    assert "Tick at least one working day." in response.content.decode()
    service.refresh_from_db()
    assert service.opens_at == datetime.time(9, 0)
