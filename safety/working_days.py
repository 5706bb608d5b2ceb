"""Working days for the review window of a risk flag: Monday to Friday, except the England and
Wales bank holidays listed in ``safety/bank_holidays.yaml``."""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from pathlib import Path

import yaml

BANK_HOLIDAYS_FILE = Path(__file__).with_name("bank_holidays.yaml")


@functools.cache
def bank_holidays() -> frozenset[datetime.date]:
    data = yaml.safe_load(BANK_HOLIDAYS_FILE.read_text(encoding="utf-8"))
    # YAML reads an unquoted 2026-12-25 as a date already; a quoted one is parsed here.
    return frozenset(
        day if isinstance(day, datetime.date) else datetime.date.fromisoformat(str(day))
        for day in data["dates"]
    )


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def working_days_after(
    *, start: datetime.datetime, working_days: int, zone: zoneinfo.ZoneInfo
) -> datetime.datetime:
    """The moment ``working_days`` working days after ``start``.

    Keeps the local time of day, so a flag raised at 17:00 on a Friday is due at 17:00 on
    Monday. A flag raised on a weekend or bank holiday starts its clock at 00:00 on the next
    working day, which gives the PWP the whole of that day.
    """
    local = start.astimezone(zone)
    if not is_working_day(local.date()):
        day = local.date() + datetime.timedelta(days=1)
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
        local = datetime.datetime.combine(day, datetime.time(0, 0), zone)
    day = local.date()
    remaining = working_days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    # Combining with the wall-clock time (not adding hours) keeps 17:00 across a clock change.
    return datetime.datetime.combine(day, local.timetz().replace(tzinfo=None), zone)
