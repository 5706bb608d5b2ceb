"""Benchmark: ``export_fhir`` for a service with 10,000 episodes (issue 14).

It builds a throwaway database with N patients in treatment, each with a PHQ-9 and a GAD-7, and
writes the service's FHIR Bundle to a temporary file for N = 1,000 and 10,000, reporting the time
and the peak Python memory (tracemalloc) of the export. The Bundle is written entry by entry, so
peak memory should stay about the same while the file grows tenfold.

Run with ``make bench`` (or ``python -m bench exports``).
"""

from __future__ import annotations

import datetime
import os
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

SIZES = (1_000, 10_000)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcbt.settings_test")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _add_patients(*, service: Any, start: int, stop: int) -> None:
    from accounts.models import Role, User
    from care.models import Episode
    from measures.models import QuestionnaireResponse

    users = User.objects.bulk_create(
        User(
            username=f"bench-export-{number:05d}",
            email=f"bench-export-{number:05d}@example.org",
            role=Role.PATIENT,
            password="!",  # noqa: S106 - an unusable password: nobody signs in as these
            service=service,
        )
        for number in range(start, stop)
    )
    episodes = Episode.objects.bulk_create(
        Episode(patient=user, service=service, started_on=datetime.date(2026, 5, 1))
        for user in users
    )
    at = datetime.datetime(2026, 5, 2, 10, 0, tzinfo=datetime.UTC)
    QuestionnaireResponse.objects.bulk_create(
        response
        for episode in episodes
        for response in (
            QuestionnaireResponse(
                patient=episode.patient,
                respondent=episode.patient,
                episode=episode,
                instrument_code="phq9",
                instrument_version="1",
                answers=[1] * 9,
                total=9,
                severity="Mild",
                submitted_at=at,
            ),
            QuestionnaireResponse(
                patient=episode.patient,
                respondent=episode.patient,
                episode=episode,
                instrument_code="gad7",
                instrument_version="1",
                answers=[2] * 7,
                total=14,
                severity="Moderate",
                submitted_at=at,
            ),
        )
    )


def _measure(service: Any, episodes: int) -> dict[str, Any]:
    from exports.service_bundle import service_bundle_write

    with tempfile.TemporaryDirectory(prefix="bcbt-bench-export-") as folder:
        path = Path(folder) / "bundle.json"
        tracemalloc.start()
        started = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            count = service_bundle_write(service=service, since=None, out=out)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = path.stat().st_size
    return {
        "episodes": episodes,
        "responses": count,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak / 1_000_000, 1),
        "file_mb": round(size / 1_000_000, 1),
    }


def run() -> list[dict[str, Any]]:
    _setup_django()
    from treatment.services import service_create

    service = service_create(name="Bench export service", slug="bench-export-service")
    rows: list[dict[str, Any]] = []
    have = 0
    # BENCH_QUICK=1 is the smoke run of the plumbing: fifty episodes.
    for size in (50,) if os.environ.get("BENCH_QUICK") == "1" else SIZES:
        _add_patients(service=service, start=have, stop=size)
        have = size
        rows.append(_measure(service, size))
    print("exports: export_fhir for a whole service (tracemalloc peak of the export)")
    print(f"{'episodes':>9} {'responses':>10} {'seconds':>8} {'peak MB':>8} {'file MB':>8}")
    for row in rows:
        print(
            f"{row['episodes']:>9} {row['responses']:>10} {row['seconds']:>8} "
            f"{row['peak_mb']:>8} {row['file_mb']:>8}"
        )
    return rows


if __name__ == "__main__":
    run()
