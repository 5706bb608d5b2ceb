"""Working days know the England and Wales bank holidays (safety/bank_holidays.yaml)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from measures.services import questionnaire_response_record
from safety.models import RiskFlag
from safety.tasks import risk_flags_escalate
from safety.working_days import bank_holidays, working_days_after

LONDON = zoneinfo.ZoneInfo("Europe/London")
FLAGGED = [0, 1, 0, 1, 0, 1, 0, 1, 1]


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        # Christmas Day (Friday), the weekend and Boxing Day's substitute (Monday 28th).
        (at(2026, 12, 24, 10), at(2026, 12, 29, 10)),
        (at(2026, 12, 25, 10), at(2026, 12, 30, 0)),  # raised on the holiday: clock starts Tue
        (at(2026, 4, 2, 15), at(2026, 4, 7, 15)),  # Maundy Thursday -> after Easter Monday
        (at(2026, 5, 22, 9), at(2026, 5, 26, 9)),  # Friday before the spring bank holiday
        (at(2027, 12, 24, 9), at(2027, 12, 29, 9)),  # both Christmas substitutes, 27th and 28th
        (at(2027, 12, 31, 12), at(2028, 1, 4, 12)),  # New Year's Day substitute, Monday 3rd
    ],
)
def test_one_working_day_skips_bank_holidays(raised, due) -> None:
    assert working_days_after(start=raised, working_days=1, zone=LONDON) == due


def test_a_flag_raised_on_christmas_eve_escalates_only_after_the_holidays(
    episode, service_admin
) -> None:
    with time_machine.travel(at(2026, 12, 24, 10), tick=False):  # Thursday 24 December 2026
        questionnaire_response_record(
            patient=episode.patient, instrument_code="phq9", answers=FLAGGED
        )
    flag = RiskFlag.objects.get()
    assert flag.review_due_at == at(2026, 12, 29, 10)
    for moment in (at(2026, 12, 25, 10, 1), at(2026, 12, 28, 10, 1), at(2026, 12, 29, 9, 59)):
        with time_machine.travel(moment, tick=False):
            assert risk_flags_escalate() == 0
    with time_machine.travel(at(2026, 12, 29, 10, 1), tick=False):
        assert risk_flags_escalate() == 1


def test_the_bank_holiday_file_has_the_eight_holidays_of_each_year_2025_to_2028() -> None:
    years = [day.year for day in bank_holidays()]
    assert {year: years.count(year) for year in set(years)} == {
        2025: 8,
        2026: 8,
        2027: 8,
        2028: 8,
    }


def test_every_bank_holiday_is_a_weekday() -> None:
    assert all(day.weekday() < 5 for day in bank_holidays())
