"""The period a report covers: one calendar month in the service's time zone, or all time."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from care.models import Service

ALL_TIME = "all"
MONTH_PATTERN = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
# How many months back the month picker offers (the URL takes any month).
MONTHS_OFFERED = 24


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class ReportPeriod:
    """``start`` (inclusive) and ``end`` (exclusive) as moments; both ``None`` for all time."""

    key: str
    label: str
    start: datetime.datetime | None
    end: datetime.datetime | None

    @property
    def start_date(self) -> datetime.date | None:
        return self.start.date() if self.start is not None else None

    @property
    def end_date(self) -> datetime.date | None:
        """The first day after the period."""
        return self.end.date() if self.end is not None else None

    @property
    def is_all_time(self) -> bool:
        return self.start is None


def _month_start(year: int, month: int, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime(year, month, 1, tzinfo=zone)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_period(*, year: int, month: int, service: Service) -> ReportPeriod:
    zone = zoneinfo.ZoneInfo(service.time_zone)
    start = _month_start(year, month, zone)
    end = _month_start(*_next_month(year, month), zone)
    return ReportPeriod(
        key=f"{year:04d}-{month:02d}", label=start.strftime("%B %Y"), start=start, end=end
    )


def period_parse(*, value: str | None, service: Service) -> ReportPeriod:
    """``YYYY-MM`` or ``all``; empty means this month. Anything else raises PeriodError."""
    if value == ALL_TIME:
        return ReportPeriod(key=ALL_TIME, label="All time", start=None, end=None)
    if not value:
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(service.time_zone))
        return month_period(year=today.year, month=today.month, service=service)
    match = MONTH_PATTERN.match(value)
    if match is None or not 1 <= int(match["month"]) <= 12 or int(match["year"]) < 2000:
        raise PeriodError("Choose a month from the list, such as 2026-05.")
    return month_period(year=int(match["year"]), month=int(match["month"]), service=service)


def periods_offered(*, service: Service) -> list[ReportPeriod]:
    """This month and the months before it, newest first, then all time."""
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(service.time_zone))
    year, month = today.year, today.month
    periods = []
    for _ in range(MONTHS_OFFERED):
        periods.append(month_period(year=year, month=month, service=service))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    periods.append(ReportPeriod(key=ALL_TIME, label="All time", start=None, end=None))
    return periods
