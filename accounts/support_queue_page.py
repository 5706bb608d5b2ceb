"""The navigator's support queue a page at a time.

The queue is worked out whole (``support_queue_for_navigator``: its order needs every patient's
facts), then cut into pages in its priority order: section by section (help asked for first,
then failed sign-in emails, lockouts, failing messages, inactivity, getting started), and within
a section in the queue's own order. A section that runs over a page boundary carries on at the
top of the next page. Only the page's items are shown, so the page stays the same size however
large the service; the notes of only its stored items are read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from accounts.selectors import QueueEntry, StaffAlertFailure, SupportQueue

# Items per page: each is a card with up to four forms, about 3 KB of HTML.
QUEUE_PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueSectionPage:
    """A section's part of one page: ``total`` counts its items on every page."""

    kind: str
    title: str
    total: int
    entries: list[QueueEntry]
    # The section began on an earlier page.
    continued: bool


@dataclass(frozen=True)
class QueueSectionLink:
    """A line of the queue's contents: a section, its size, and the page it starts on."""

    kind: str
    title: str
    total: int
    page: int


@dataclass(frozen=True)
class SupportQueuePage:
    sections: list[QueueSectionPage]
    contents: list[QueueSectionLink]
    # Alerts to staff not getting through: a few staff at most, shown on the first page.
    staff_alerts: list[StaffAlertFailure]
    show_staff_alerts: bool
    inactive_days: int
    total: int
    number: int
    pages: int

    @property
    def previous_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def support_queue_page(
    *, queue: SupportQueue, page: int = 1, per_page: int = QUEUE_PAGE_SIZE
) -> SupportQueuePage:
    """One page of the queue; a page number past the end gives the last page. An empty section
    is shown (with "Nothing here") on the page where its items would be."""
    items = sum(len(entries) for _, _, entries in queue.sections)
    pages = max(1, -(-items // per_page))
    number = min(max(1, page), pages)
    start, stop = (number - 1) * per_page, number * per_page
    sections: list[QueueSectionPage] = []
    contents: list[QueueSectionLink] = []
    before = 0
    for kind, title, entries in queue.sections:
        first_page = min(before // per_page + 1, pages)
        contents.append(
            QueueSectionLink(kind=kind, title=title, total=len(entries), page=first_page)
        )
        shown = entries[max(start - before, 0) : max(stop - before, 0)]
        if shown or (not entries and first_page == number):
            sections.append(
                QueueSectionPage(
                    kind=kind,
                    title=title,
                    total=len(entries),
                    entries=shown,
                    continued=before < start,
                )
            )
        before += len(entries)
    stored = [
        entry.support_request
        for section in sections
        for entry in section.entries
        if entry.support_request is not None
    ]
    prefetch_related_objects(stored, "notes__author")
    return SupportQueuePage(
        sections=sections,
        contents=contents,
        staff_alerts=queue.staff_alerts,
        show_staff_alerts=number == 1,
        inactive_days=queue.inactive_days,
        total=queue.total,
        number=number,
        pages=pages,
    )
