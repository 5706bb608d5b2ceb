"""Benchmark: ``export_fhir`` for a service with 10,000 episodes (issue 14).

It builds a throwaway database with N patients in treatment, each with a PHQ-9 and a GAD-7, and
writes the service's FHIR Bundle to a temporary file for N = 1,000 (3 rounds) and 10,000 (1
round: it takes minutes), reporting the time and the peak Python memory (tracemalloc) of the
export. The export is an operator's command with no time goal; the Bundle is written entry by
entry, so peak memory should stay flat while the file grows tenfold: the figure's goal is the
10,000-episode peak within twice the 1,000-episode one.

Run with ``make bench`` (or ``python -m bench exports``).
"""

from __future__ import annotations

import datetime
import os
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.report import Figure, figure_print, quick, rounds

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


def _measure(service: Any) -> tuple[float, float]:
    """One export under tracemalloc (which slows it): seconds and peak Python memory in MB."""
    from exports.service_bundle import service_bundle_write

    with tempfile.TemporaryDirectory(prefix="bcbt-bench-export-") as folder:
        path = Path(folder) / "bundle.json"
        tracemalloc.start()
        started = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            service_bundle_write(service=service, since=None, out=out)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, peak / 1_000_000


def _rounds(size: int) -> int:
    # 10,000 episodes take minutes to export: one round there.
    return rounds(3) if size < SIZES[-1] else 1


def run() -> list[Figure]:
    _setup_django()
    from treatment.services import service_create

    service = service_create(name="Bench export service", slug="bench-export-service")
    # BENCH_QUICK=1 is the smoke run of the plumbing: twenty and fifty episodes.
    sizes = (20, 50) if quick() else SIZES
    print(
        "exports: export_fhir for a whole service, 2 responses per episode, under tracemalloc "
        f"(which slows it); rounds: {', '.join(f'{_rounds(size)} at {size:,}' for size in sizes)}; "
        "no time goal (an operator's command); memory should stay flat as the service grows"
    )
    figures: list[Figure] = []
    peaks: dict[int, list[float]] = {}
    have = 0
    for size in sizes:
        _add_patients(service=service, start=have, stop=size)
        have = size
        measured = [_measure(service) for _ in range(_rounds(size))]
        peaks[size] = [peak for _, peak in measured]
        figures.append(
            Figure(
                name=f"export_fhir, {size:,} episodes",
                samples=tuple(seconds for seconds, _ in measured),
                unit="s",
                note=f"{size * 2 / statistics.median(s for s, _ in measured):,.0f} responses/s",
            )
        )
        figure_print(figures[-1])
    smallest, largest = sizes[0], sizes[-1]
    # Flat memory: the largest service's peak within twice the smallest's, for ten times the data.
    goal = 2 * statistics.median(peaks[smallest])
    figures.append(
        Figure(
            name=f"export_fhir peak memory, {largest:,} episodes",
            samples=tuple(peaks[largest]),
            unit="MB",
            goal=goal,
            goal_text=f"2 x the {smallest:,}-episode peak",
            note=f"{statistics.median(peaks[smallest]):.1f} MB at {smallest:,} episodes",
        )
    )
    figure_print(figures[-1])
    return figures


if __name__ == "__main__":
    run()
