"""Benchmark: the console's reports over a service's whole history of 10,000 episodes (issue 18).

It builds a throwaway service with N courses of treatment spread over the last twelve months
(11 sessions each, attended, missed or cancelled; PHQ-9 and GAD-7 at four sessions; briefs
reviewed; modules assigned and some completed; most courses ended), then fetches the fidelity and
outcomes pages and their CSVs for "all time" and for one month, in process with production
settings, reporting the median and range of ``BCBT_BENCH_ROUNDS`` fetches (5), the number of
SQL queries (the same at every size by design) and the ratio to the 1 second goal. It also times
the monthly data set extract (3 rounds) against gunicorn's 10 s timeout, and its peak Python
memory. ``BENCH_QUICK=1`` uses 50 episodes and one round.

Run with ``make bench`` (or ``python -m bench reports``).
"""

from __future__ import annotations

import datetime
import time
import tracemalloc
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.report import Figure, figure_print, quick, rounds

SIZE = 10_000
QUICK_SIZE = 50
# Issue 18's goal for a report page or CSV.
GOAL_SECONDS = 1.0
# The data set download streams from one sync gunicorn worker, which gunicorn's --timeout
# (10 s, Dockerfile) would kill: the extract has to finish within it.
DOWNLOAD_GOAL_SECONDS = 10.0
BATCH = 5_000


# Length: builds a whole service's history in bulk, table by table.
def _history(*, service: Any, pwps: list[Any], size: int) -> None:
    from accounts.models import Role, User
    from care.models import Appointment, AppointmentKind, Episode
    from clinician.models import BriefReview
    from measures.models import QuestionnaireResponse
    from modules.models import Assignment, Module

    today = timezone.localdate()
    users = User.objects.bulk_create(
        (
            User(
                username=f"bench-report-{number:05d}",
                role=Role.PATIENT,
                password="!",  # noqa: S106 - an unusable password: nobody signs in as these
                service=service,
            )
            for number in range(size)
        ),
        batch_size=BATCH,
    )
    episodes = []
    for number, user in enumerate(users):
        started = today - datetime.timedelta(days=90 + number % 365)
        ended = started + datetime.timedelta(days=75) if number % 5 else None
        episodes.append(
            Episode(
                patient=user,
                pwp=pwps[number % len(pwps)],
                service=service,
                started_on=started,
                ended_on=ended,
                status="completed" if ended else "active",
                end_reason="completed" if ended else "",
            )
        )
    episodes = Episode.objects.bulk_create(episodes, batch_size=BATCH)
    statuses = ("attended",) * 8 + ("did_not_attend", "cancelled")
    appointments = Appointment.objects.bulk_create(
        (
            Appointment(
                episode=episode,
                number=number,
                kind=AppointmentKind.FACE_TO_FACE if number % 2 else AppointmentKind.ONLINE,
                scheduled_at=datetime.datetime.combine(
                    episode.started_on, datetime.time(10, 0), tzinfo=datetime.UTC
                )
                + datetime.timedelta(days=7 * (number - 1)),
                status=statuses[(episode.pk + number) % len(statuses)],
            )
            for episode in episodes
            for number in range(1, 12)
        ),
        batch_size=BATCH,
    )
    BriefReview.objects.bulk_create(
        (
            BriefReview(
                appointment=appointment,
                reviewed_by=appointment.episode.pwp,
                reviewed_at=appointment.scheduled_at - datetime.timedelta(hours=12),
            )
            for appointment in appointments
            if appointment.status == "attended" and appointment.pk % 2
        ),
        batch_size=BATCH,
    )
    QuestionnaireResponse.objects.bulk_create(
        (
            QuestionnaireResponse(
                patient=episode.patient,
                respondent=episode.patient,
                episode=episode,
                instrument_code=code,
                instrument_version="1",
                answers=[],
                total=max(0, start - step * (episode.pk % 4)),
                session_number=session,
                submitted_at=datetime.datetime.combine(
                    episode.started_on, datetime.time(9, 0), tzinfo=datetime.UTC
                )
                + datetime.timedelta(days=7 * (session - 1) - 1),
            )
            for episode in episodes
            for step, session in enumerate((1, 4, 8, 11))
            for code, start in (("phq9", 16), ("gad7", 12))
        ),
        batch_size=BATCH,
    )
    modules = list(Module.objects.order_by("pk")[:4])
    Assignment.objects.bulk_create(
        (
            Assignment(
                episode=episode,
                module=module,
                version=module.latest_version,
                mandatory=position < 3,
                position=position + 1,
                started_at=timezone.now() if (episode.pk + position) % 3 else None,
                completed_at=timezone.now() if (episode.pk + position) % 3 else None,
            )
            for episode in episodes
            for position, module in enumerate(modules)
            if module.latest_version is not None
        ),
        batch_size=BATCH,
    )


def _time(client: Client, url: str, count: int) -> dict[str, Any]:
    """Milliseconds of ``count`` fetches after a warm one. A page that fails (on a machine so
    busy that the request deadline cuts it off, a 503) is reported as failed, not hidden."""
    client.get(url)  # warm: template loading, the first query plans
    milliseconds = []
    queries = 0
    body = b""
    failures = 0
    for _ in range(count):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            body = response.getvalue()
            milliseconds.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures += 1
        queries = len(captured)
    return {
        "milliseconds": milliseconds,
        "queries": queries,
        "bytes": len(body),
        "failures": failures,
    }


def _dataset(service: Any, count: int) -> Figure:
    """The extract's time over ``count`` rounds, then one more under tracemalloc (which slows
    it) for its peak Python memory."""
    from exports.dataset import dataset_export, dataset_month_parse

    month_start = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    month = dataset_month_parse(service=service, value=month_start.strftime("%Y-%m"))
    seconds = []
    lines = 0
    for _ in range(count):
        started = time.perf_counter()
        lines = sum(1 for _ in dataset_export(month=month, actor=None))
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    sum(1 for _ in dataset_export(month=month, actor=None))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Figure(
        name=f"Data set extract, {month.key}",
        samples=tuple(seconds),
        unit="s",
        goal=DOWNLOAD_GOAL_SECONDS,
        goal_text=f"gunicorn's {DOWNLOAD_GOAL_SECONDS:g} s timeout",
        note=f"{lines - 1:,} rows, peak Python memory {peak / 1e6:.1f} MB",
    )


def run() -> list[Figure]:
    from accounts.models import Role, User
    from treatment.services import service_create

    size = QUICK_SIZE if quick() else SIZE
    count = rounds(5)
    service = service_create(name="Report bench", slug="report-bench")
    pwps = [
        User.objects.create(username=f"bench-report-pwp{n}", role=Role.PWP, service=service)
        for n in range(20)
    ]
    admin = User.objects.create(
        username="bench-report-admin", role=Role.SERVICE_ADMIN, service=service
    )
    built = time.perf_counter()
    _history(service=service, pwps=pwps, size=size)
    if connection.vendor == "postgresql":
        # A bulk load leaves the planner's statistics behind; a live database keeps them fresh.
        # Set-up, not a measurement: no statement timeout (on a busy machine it passes 3 s).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("ANALYZE")
    print(
        f"Reports over a service's whole history: {size:,} episodes, 20 PWPs "
        f"(built in {time.perf_counter() - built:.0f} s; median and range of {count} fetches "
        f"after a warm one; goal {GOAL_SECONDS:g} s a page, and gunicorn's "
        f"{DOWNLOAD_GOAL_SECONDS:g} s timeout for the data set download)"
    )
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime(
        "%Y-%m"
    )
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    figures: list[Figure] = []
    with override_settings(
        BCBT_REQUIRE_STAFF_MFA=False,
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        STORAGES=storages,
    ):
        # raise_request_exception off: a page cut off by the request deadline counts as failed.
        client = Client(raise_request_exception=False)
        client.force_login(admin)
        for label, url in (
            (f"Fidelity, {last_month}", f"/service/reports/fidelity/?month={last_month}"),
            (f"Outcomes, {last_month}", f"/service/reports/outcomes/?month={last_month}"),
            ("Fidelity, all time", "/service/reports/fidelity/?month=all"),
            ("Outcomes, all time", "/service/reports/outcomes/?month=all"),
            ("Fidelity CSV, all time", "/service/reports/fidelity.csv?month=all"),
            ("Outcomes CSV, all time", "/service/reports/outcomes.csv?month=all"),
        ):
            row = _time(client, url, count)
            figure = Figure(
                name=f"Report: {label}",
                samples=tuple(row["milliseconds"]),
                unit="ms",
                goal=GOAL_SECONDS * 1000,
                goal_text=f"the {GOAL_SECONDS:g} s goal",
                note=f"{row['queries']} queries, {row['bytes'] / 1000:.1f} KB",
                failed=f"{row['failures']} of {count} failed" if row["failures"] else "",
            )
            figure_print(figure)
            figures.append(figure)
    figure = _dataset(service, rounds(3))
    figure_print(figure)
    figures.append(figure)
    return figures


if __name__ == "__main__":
    run()
