"""The service admin's whole-service view (``/clinician/`` for a service admin): the caseload of
every patient in treatment in the service, a page at a time, in the need order.

Ordering a whole service by need reads every patient's facts (flags, outcomes, mood, activity,
messages, appointments): about 2 s at 10,000 patients, too slow for a page, and three admins at
once used to take every web worker. So the order is worked out off the request: each page view
marks its service's order as wanted, and beat's ``clinician.service_orders_refresh`` rebuilds
every wanted order every ``CASELOAD_ORDER_CACHE_SECONDS`` (60) into the cache, shared by the
service's admins. A page then builds only its own rows, fresh, in the same constant number of
queries as a small caseload. Only when no order is kept at all (nobody looked for ten minutes,
or the cache was emptied) does a page build it itself, once.

What must never wait is read live on every page: patients with an open risk flag come first
whatever the kept order says, and a closed flag drops out of that block at once. The rest of the
order (deterioration, a fall in mood, inactivity, unread messages, the next session) may be up
to about a minute old; the reasons shown on each row are always current. A name search never
uses the kept order.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.cache import cache

from accounts.models import Role, User
from care.models import Service
from care.selectors import caseload_for_staff
from clinician.caseload import caseload_build, caseload_order
from clinician.caseload_page import CASELOAD_PAGE_SIZE, CaseloadPage, caseload_rows_chart
from safety.selectors import open_risk_flags_for_episodes

# A kept order is dropped after this many refresh periods without a refresh (beat stopped).
_KEPT_PERIODS = 10
# An order nobody has looked at for this long is no longer refreshed.
_WANTED_SECONDS = 600
# The orders a page can ask for ("flags" is cut from "all").
_ORDERS = ("all", "attention", "today")


def _order_key(*, service_id: int, show: str) -> str:
    return f"clinician:service-order:{service_id}:{show}"


def _wanted_key(*, service_id: int, show: str) -> str:
    return f"clinician:service-order-wanted:{service_id}:{show}"


def _build_order(*, service_id: int, show: str, now: datetime.datetime) -> list[int]:
    # The order is the same for every admin of the service: it is built as "a service admin
    # of this service" (caseload_for_staff reads only the role and the service).
    stand_in = User(role=Role.SERVICE_ADMIN, service_id=service_id)
    order = [need.episode_id for need in caseload_order(staff=stand_in, now=now, show=show)]
    cache.set(
        _order_key(service_id=service_id, show=show),
        order,
        timeout=settings.CASELOAD_ORDER_CACHE_SECONDS * _KEPT_PERIODS,
    )
    return order


def service_order(*, service_id: int, now: datetime.datetime, show: str) -> list[int]:
    """The service's episode ids in need order for ``show``: the kept order, or built now when
    none is kept. Either way the order is marked as wanted, so beat keeps it fresh."""
    cache.set(_wanted_key(service_id=service_id, show=show), True, timeout=_WANTED_SECONDS)
    order: list[int] | None = cache.get(_order_key(service_id=service_id, show=show))
    if order is None:
        order = _build_order(service_id=service_id, show=show, now=now)
    return order


def service_orders_refresh(*, now: datetime.datetime) -> int:
    """Rebuild every order a page asked for in the last ten minutes; returns how many."""
    wanted_keys = {
        _wanted_key(service_id=service_id, show=show): (service_id, show)
        for service_id in Service.objects.values_list("pk", flat=True)
        for show in _ORDERS
    }
    wanted = cache.get_many(list(wanted_keys))
    for key in wanted:
        service_id, show = wanted_keys[key]
        _build_order(service_id=service_id, show=show, now=now)
    return len(wanted)


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
    assert staff.service_id is not None
    kept = service_order(
        service_id=staff.service_id, now=now, show="all" if show == "flags" else show
    )
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
