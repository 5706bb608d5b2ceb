"""Staff pages at a whole service's scale: the PWP's caseload at 50, 200 and 1,000 patients,
the service admin's whole-service view at 10,000, and the pre-session brief with 365 days of
mood. Each page is fetched in process (Django's test client, production settings)
``BCBT_BENCH_ROUNDS`` times (5) after a warm fetch; each figure is the median and range of the
times with its ratio to the 300 ms goal, and the size of the HTML (the service view's against
its 100 KB goal). ``BENCH_QUICK=1`` uses a tenth of the patients and one fetch.
"""

from __future__ import annotations

import datetime
import gzip
import time
from typing import Any

from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from bench.report import Figure, figure_print, quick, rounds

CASELOAD_SIZES = (50, 200, 1_000)
SERVICE_SIZE = 10_000
BRIEF_DAYS = 365
# Goals from issue 17: checked here, not in tests, because they depend on the machine.
GOAL_MS = 300.0
GOAL_SERVICE_KB = 100.0


def _add_patients(*, service: Any, pwp: Any, start: int, stop: int, mood_days: int) -> list[Any]:
    from accounts.models import Role, User
    from care.models import Episode
    from moodlog.models import MoodRating

    users = User.objects.bulk_create(
        User(
            username=f"bench-page-{number:05d}",
            first_name=f"Patient{number:05d}",
            role=Role.PATIENT,
            password="!",  # noqa: S106 - an unusable password: nobody signs in as these
            service=service,
        )
        for number in range(start, stop)
    )
    today = timezone.localdate()
    Episode.objects.bulk_create(
        Episode(patient=user, pwp=pwp, service=service, started_on=today) for user in users
    )
    now = timezone.now()
    MoodRating.objects.bulk_create(
        (
            MoodRating(
                patient=user,
                day=today - datetime.timedelta(days=back),
                score=1 + (user.pk + back) % 10,
                recorded_at=now,
                updated_at=now,
            )
            for user in users
            for back in range(mood_days)
        ),
        batch_size=5_000,
    )
    return users


def _time_order_refresh(client: Client, count: int) -> list[float]:
    from clinician.service_view import service_orders_refresh

    seconds = []
    for _ in range(count):
        # The page marks its service's order as wanted (something else may empty the cache).
        client.get("/clinician/")
        started = time.perf_counter()
        service_orders_refresh(now=timezone.now())
        seconds.append(time.perf_counter() - started)
    return seconds


def _time(client: Client, url: str, count: int) -> tuple[list[float], bytes, int]:
    """Milliseconds of ``count`` fetches after a warm one, the last page's HTML, and how many
    fetches failed (a 503 when the request deadline cut one off on a very busy machine)."""
    # Warm: template loading, the first query plans, and the service view's first visit, which
    # builds the whole service's order itself (seconds) when none is kept yet. That visit is
    # not measured, so the request deadline may not cut it off.
    with override_settings(BCBT_REQUEST_DEADLINE_SECONDS=0):
        client.get(url)
    milliseconds = []
    body = b""
    failures = 0
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        milliseconds.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures += 1
        body = response.content
    return milliseconds, body, failures


def _page(name: str, measured: tuple[list[float], bytes, int]) -> Figure:
    milliseconds, body, failures = measured
    return Figure(
        name=name,
        samples=tuple(milliseconds),
        unit="ms",
        goal=GOAL_MS,
        goal_text=f"the {GOAL_MS:g} ms goal",
        note=f"{len(body) / 1000:.1f} KB HTML, {len(gzip.compress(body)) / 1000:.1f} KB gzipped",
        failed=f"{failures} of {len(milliseconds)} failed" if failures else "",
    )


def _record(figures: list[Figure], figure: Figure) -> None:
    figure_print(figure)
    figures.append(figure)


def run() -> list[Figure]:
    from accounts.models import Role, User
    from treatment.services import service_create

    scale = 10 if quick() else 1
    count = rounds(5)
    service = service_create(name="Page bench", slug="page-bench")
    pwp = User.objects.create(username="bench-page-pwp", role=Role.PWP, service=service)
    admin = User.objects.create(
        username="bench-page-admin", role=Role.SERVICE_ADMIN, service=service
    )
    figures: list[Figure] = []
    print(
        f"Staff pages (in process; median and range of {count} fetches after a warm one; "
        f"goals {GOAL_MS:g} ms, and {GOAL_SERVICE_KB:g} KB of HTML for the service view)"
    )
    # Staff two-step verification is a sign-in matter; these clients are signed in directly.
    # collectstatic has not run for a benchmark: plain static URLs instead of the manifest's.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        BCBT_REQUIRE_STAFF_MFA=False,
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        STORAGES=storages,
    ):
        # raise_request_exception off: a page cut off by the request deadline counts as failed.
        pwp_client = Client(raise_request_exception=False)
        admin_client = Client(raise_request_exception=False)
        pwp_client.force_login(pwp)
        admin_client.force_login(admin)
        have = 0
        for size in (size // scale for size in CASELOAD_SIZES):
            _add_patients(service=service, pwp=pwp, start=have, stop=size, mood_days=15)
            have = size
            _record(
                figures,
                _page(f"Caseload, {size:,} patients", _time(pwp_client, "/clinician/", count)),
            )
        service_size = SERVICE_SIZE // scale
        _add_patients(service=service, pwp=None, start=have, stop=service_size, mood_days=15)
        measured = _time(admin_client, "/clinician/", count)
        _record(figures, _page(f"Service view, {service_size:,} patients", measured))
        body = measured[1]
        _record(
            figures,
            Figure(
                name=f"Service view, {service_size:,} patients: HTML",
                samples=(len(body) / 1000,),
                unit="KB",
                goal=GOAL_SERVICE_KB,
                goal_text=f"the {GOAL_SERVICE_KB:g} KB goal",
                note="the same page each round",
            ),
        )
        # Beat rebuilds the service's need order once a minute, off the request
        # (clinician/service_view.py): its cost, on the worker. No goal of its own; beat's
        # minute is the bound it must stay within.
        rebuilt = _time_order_refresh(admin_client, count)
        _record(
            figures,
            Figure(
                name=f"Its need order rebuilt by beat, {service_size:,}",
                samples=tuple(rebuilt),
                unit="s",
                goal=60.0,
                goal_text="beat's 1-minute interval",
                binding=False,
                note="on the worker, off the request",
            ),
        )
        first = User.objects.get(username="bench-page-00000")
        _add_history(patient=first, days=BRIEF_DAYS)
        measured = _time(pwp_client, f"/clinician/patients/{first.pk}/", count)
        _record(figures, _page(f"Brief, {BRIEF_DAYS} days of mood", measured))
    return figures


def _add_history(*, patient: Any, days: int) -> None:
    from moodlog.models import MoodRating

    today = timezone.localdate()
    now = timezone.now()
    MoodRating.objects.bulk_create(
        (
            MoodRating(
                patient=patient,
                day=today - datetime.timedelta(days=back),
                score=1 + back % 10,
                recorded_at=now,
                updated_at=now,
            )
            for back in range(days)
        ),
        ignore_conflicts=True,
    )
