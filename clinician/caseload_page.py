"""The caseload a page at a time: the whole caseload in need order (``clinician.caseload``),
then only one page's rows built, with their mood charts and "brief reviewed" marks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F

from accounts.models import User
from clinician.caseload import SPARKLINE_DAYS, CaseloadRow, caseload_order, caseload_rows
from clinician.models import BriefReview
from moodlog.models import MoodRating

# Rows per page: a page stays the same size however large the caseload or the service.
CASELOAD_PAGE_SIZE = 50


def caseload_rows_chart(*, rows: list[CaseloadRow], now: datetime.datetime) -> None:
    """Fill in the 14-day mood chart and the "brief reviewed" mark of these rows (one page), in
    two queries."""
    if not rows:
        return
    reviewed = set(
        BriefReview.objects.filter(
            appointment__episode_id__in=[row.episode.pk for row in rows],
            reviewed_by_id=F("appointment__episode__pwp_id"),
        ).values_list("appointment__episode_id", "appointment__number")
    )
    for row in rows:
        row.brief_reviewed = (row.episode.pk, row.next_appointment_number) in reviewed
    earliest = (now - datetime.timedelta(days=SPARKLINE_DAYS + 1)).date()
    by_patient: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for patient_id, day, score in MoodRating.objects.filter(
        patient_id__in=[row.patient.pk for row in rows], day__gte=earliest
    ).values_list("patient_id", "day", "score"):
        by_patient[patient_id][day] = score
    for row in rows:
        row.mood_by_day = by_patient.get(row.patient.pk, {})


@dataclass
class CaseloadPage:
    """One page of the caseload in need order; ``total`` counts every row on every page."""

    rows: list[CaseloadRow]
    total: int
    number: int
    pages: int

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def caseload_page(
    *,
    staff: User,
    now: datetime.datetime,
    search: str = "",
    show: str = "all",
    page: int = 1,
    per_page: int = CASELOAD_PAGE_SIZE,
) -> CaseloadPage:
    """The whole caseload is ordered from narrow reads (the order needs every patient's facts),
    then only the page's rows are built; a page number past the end gives the last page."""
    needs = caseload_order(staff=staff, now=now, search=search, show=show)
    pages = max(1, -(-len(needs) // per_page))
    number = min(max(1, page), pages)
    start = (number - 1) * per_page
    shown = caseload_rows(staff=staff, needs=needs[start : start + per_page])
    caseload_rows_chart(rows=shown, now=now)
    return CaseloadPage(rows=shown, total=len(needs), number=number, pages=pages)
