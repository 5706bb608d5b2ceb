"""Working time for the review window of a risk flag: the service's working hours on its
working days, skipping the bank holidays of its nation (from the ``holidays`` package).

A review window of N working days is N times the length of the service's working day, counted
only while the service is open: with 09:00 to 17:00 and one working day, a flag raised at 16:55
on a Friday is due at 16:55 on Monday (or Tuesday after a bank holiday Monday), and one raised
in the evening, at a weekend or on a bank holiday is due when the next working day closes.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from dataclasses import dataclass

import holidays

from care.models import Nation, Service

# The subdivision of the "GB" calendar in the ``holidays`` package that each nation keeps.
# England and Wales share one list of bank holidays.
HOLIDAY_SUBDIVISIONS = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@functools.cache
def bank_holidays(*, nation: str, year: int) -> frozenset[datetime.date]:
    """The nation's bank holidays in ``year``, substitute days included."""
    calendar = holidays.country_holidays(
        "GB", subdiv=HOLIDAY_SUBDIVISIONS[Nation(nation)], years=year
    )
    return frozenset(calendar.keys())


@dataclass(frozen=True)
class WorkingCalendar:
    """When a service works: its nation's bank holidays, weekdays and hours, in its zone."""

    zone: zoneinfo.ZoneInfo
    nation: str = Nation.ENGLAND_AND_WALES
    opens_at: datetime.time = datetime.time(9, 0)
    closes_at: datetime.time = datetime.time(17, 0)
    # ISO day numbers: 1 is Monday, 7 is Sunday.
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})

    @classmethod
    def for_service(cls, service: Service) -> WorkingCalendar:
        return cls(
            zone=zoneinfo.ZoneInfo(service.time_zone),
            nation=service.nation,
            opens_at=service.opens_at,
            closes_at=service.closes_at,
            weekdays=frozenset(int(day) for day in service.working_weekdays),
        )

    @property
    def working_day_length(self) -> datetime.timedelta:
        return _naive(datetime.date.min, self.closes_at) - _naive(datetime.date.min, self.opens_at)

    def is_working_day(self, day: datetime.date) -> bool:
        return day.isoweekday() in self.weekdays and day not in bank_holidays(
            nation=self.nation, year=day.year
        )


def _naive(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time)


def working_time_after(
    *, start: datetime.datetime, working_days: int, calendar: WorkingCalendar
) -> datetime.datetime:
    """The moment ``working_days`` working days' worth of the service's open hours have passed
    since ``start``.

    Hours are counted on the wall clock of the service's zone, so a working day is as long on a
    clock-change day as on any other (the clocks change at night, when the service is closed).
    """
    local = start.astimezone(calendar.zone).replace(tzinfo=None)
    remaining = calendar.working_day_length * working_days
    day = local.date()
    # A review window is at most a few weeks: a calendar with no working day at all in a year
    # (every weekday unticked) is refused by the model, so this loop ends.
    for _ in range(366):
        if calendar.is_working_day(day):
            opens = max(_naive(day, calendar.opens_at), local)
            closes = _naive(day, calendar.closes_at)
            if opens < closes:
                if remaining <= closes - opens:
                    return (opens + remaining).replace(tzinfo=calendar.zone)
                remaining -= closes - opens
        day += datetime.timedelta(days=1)
    raise ValueError("The service's calendar has no working day in a year.")
