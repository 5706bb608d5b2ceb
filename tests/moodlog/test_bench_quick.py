"""make bench's quick mode runs end to end: the HTTP comparison (gunicorn, wrk, /proc CPU),
the pages, the sweep, dispatch, exports and reports, and the closing summary of every figure
with its ratio. Only the plumbing is checked here, never the timings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from bench.http import parse_wrk, worker_cpu_seconds
from tests.conftest import missing_service

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8000
  2 threads and 6 connections
  1021 requests in 1.00s, 300.12KB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1020.11
"""


def test_wrk_summary_is_read_with_failures() -> None:
    assert parse_wrk(WRK_OUTPUT) == (1021, 1.0, 3)


def test_worker_cpu_is_read_from_proc() -> None:
    # A child that spends CPU, says so, and then waits (as an idle gunicorn worker does).
    child = subprocess.Popen(
        [sys.executable, "-c", "sum(range(3 * 10**7)); print('done', flush=True); input()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "done\n"
        # This process is its parent, as the gunicorn master is of its workers.
        assert worker_cpu_seconds(os.getpid()) >= 0.2
    finally:
        child.communicate("\n")


@pytest.mark.slow
def test_quick_bench_runs_every_benchmark() -> None:
    if shutil.which("wrk") is None:
        missing_service("needs wrk for the HTTP benchmark (apt-get install wrk)")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing_service("the HTTP benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    root = Path(settings.BASE_DIR)
    env = {**os.environ, "BENCH_QUICK": "1", "DJANGO_SETTINGS_MODULE": "bcbt.settings"}
    env.pop("BCBT_TESTING", None)
    result = subprocess.run(
        [sys.executable, "-m", "bench"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for heading in (
        "PUT /api/v1/mood/{date}/",
        "GET 30 days",
        "worker CPU per request",
        "one sweep with every patient due",
        "The real ceiling is the provider's: GOV.UK Notify allows 3,000 a minute",
    ):
        assert heading in result.stdout
    # The closing table repeats every figure with its median, range, ratio and verdict.
    summary = result.stdout.split("\nSummary (", 1)[1].splitlines()
    rows = {line[:46].strip(): line for line in summary[2:] if line.strip()}
    for name in (
        "Caseload, 5 patients",
        "Service view, 1,000 patients",
        "Service view, 1,000 patients: HTML",
        "Brief, 365 days of mood",
        "Sweep, 1,000 due patients",
        "dispatch 300 due, 1 worker",
        "export_fhir peak memory, 50 episodes",
        "Report: Fidelity CSV, all time",
        "Data set extract, ",
    ):
        matches = [row for key, row in rows.items() if key.startswith(name)]
        assert matches, f"{name!r} not in the summary:\n" + "\n".join(summary)
        assert re.search(r" 1 round +\d+\.\d\d  \S.* (meets|over|-)$", matches[0]), matches[0]
