"""The service admin's whole-service view (``/clinician/`` for a service admin): the caseload of
every patient in treatment in the service, a page at a time, in the need order.

Ordering a whole service by need reads every patient's facts (flags, outcomes, mood, activity,
messages, appointments): about 2 s at 10,000 patients, too slow for every page. So the order
is worked out once per service and kept in the cache for ``CASELOAD_ORDER_CACHE_SECONDS`` (60),
shared by the service's admins; each page then builds only its own rows, fresh, in the same
constant number of queries as a small caseload. What must never wait is read live on every
page: patients with an open risk flag come first whatever the kept order says, and a flag
closed since drops out of that block at once. The rest of the order (deterioration, a fall in
mood, inactivity, unread messages, the next session) may be up to that minute old; the reasons
shown on each row are always current. A name search is never served from the kept order.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from care.selectors import caseload_for_staff
from clinician.caseload import (
    CASELOAD_PAGE_SIZE,
    CaseloadPage,
    caseload_build,
    caseload_rows_chart,
)
from safety.selectors import open_risk_flags_for_episodes


def _cache_key(*, service_id: int, show: str) -> str:
    return f"clinician:service-order:{service_id}:{show}"


def service_order(*, staff: User, now: datetime.datetime, show: str) -> list[int]:
    """The service's episode ids in need order for ``show``, from the cache when it is there."""
    assert staff.service_id is not None
    key = _cache_key(service_id=staff.service_id, show=show)
    order: list[int] | None = cache.get(key)
    if order is None:
        order = [row.episode.pk for row in caseload_build(staff=staff, now=now, show=show)]
        cache.set(key, order, timeout=settings.CASELOAD_ORDER_CACHE_SECONDS)
    return order


def service_caseload_page(
    *,
    staff: User,
    now: datetime.datetime,
    show: str = "all",
    page: int = 1,
    per_page: int = CASELOAD_PAGE_SIZE,
) -> CaseloadPage:
    """One page of the whole service in need order: the kept order with the live risk flags
    first, then the page's rows built fresh. A page number past the end gives the last page."""
    kept = service_order(staff=staff, now=now, show="all" if show == "flags" else show)
    in_service = caseload_for_staff(staff=staff).order_by().values_list("pk", flat=True)
    flagged = set(open_risk_flags_for_episodes(episode_ids=in_service))
    kept_set = set(kept)
    # Flagged patients first, in the kept order; one flagged since the order was kept (or new
    # to the service) is not left out.
    first = [episode_id for episode_id in kept if episode_id in flagged]
    if show != "today":
        first += sorted(flagged - kept_set)
    ids = first if show == "flags" else first + [pk for pk in kept if pk not in flagged]
    pages = max(1, -(-len(ids) // per_page))
    number = min(max(1, page), pages)
    start = (number - 1) * per_page
    wanted = ids[start : start + per_page]
    built = {
        row.episode.pk: row
        for row in caseload_build(staff=staff, now=now, show="all", episode_ids=wanted)
    }
    # An episode that ended since the order was kept has no row: it is left out of the page.
    rows = [built[episode_id] for episode_id in wanted if episode_id in built]
    caseload_rows_chart(rows=rows, now=now)
    return CaseloadPage(rows=rows, total=len(ids), number=number, pages=pages)
