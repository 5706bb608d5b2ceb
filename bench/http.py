"""The mood API over HTTP against an honest floor (issue 17).

Both sides are served by gunicorn with the same number of sync workers, on the same database:
bcbt with its production settings (``bcbt.wsgi``, DEBUG off, Redis for the rate limit) and the
floor, a separate minimal Django project (``bench/floor/``: no middleware, a SHA-256 token
looked up in PostgreSQL, one ``INSERT ... ON CONFLICT``). ``wrk`` loads each in turn, the
order alternating over several rounds so that a busy machine slows both alike. For each side
it reports requests per second and the workers' CPU time per request (utime + stime of every
gunicorn worker, from ``/proc``, before and after), as the median and range over the rounds,
and the ratios bcbt / floor (throughput) and floor / bcbt (CPU: 1.0 would be as cheap as the
floor). Two requests: ``PUT /api/v1/mood/{date}/`` and the 30-day ``GET /api/v1/mood/``.

``BENCH_QUICK=1``: one short round, for a smoke run of the plumbing.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.8
PATIENTS = 2_000
HISTORY_DAYS = 30


def _quick() -> bool:
    return os.environ.get("BENCH_QUICK") == "1"


@dataclass
class Side:
    name: str
    rps: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    errors: int = 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def worker_cpu_seconds(master_pid: int) -> float:
    """utime + stime of every worker of a gunicorn master, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _children(master_pid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        # Fields after the command name (which may hold spaces) start at field 3.
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def parse_wrk(output: str) -> tuple[int, float, int]:
    """(requests, seconds, failed) from wrk's summary."""
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    if done is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    unit = {"ms": 0.001, "s": 1.0, "m": 60.0}[done.group(3)]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = sum(int(group) for group in errors.groups()) if errors else 0
    return (
        int(done.group(1)),
        float(done.group(2)) * unit,
        (int(failed.group(1)) if failed else 0) + socket_errors,
    )


def wrk_script(*, keys: list[str], days: list[str], method: str, today: datetime.date) -> str:
    """A Lua script for wrk: each request a random patient's token (and, for PUT, a random day
    of the last fortnight), so the rate limit and the row locks behave as with many phones."""
    tokens = ",".join(f'"{key}"' for key in keys)
    day_list = ",".join(f'"{day}"' for day in days)
    start = (today - datetime.timedelta(days=HISTORY_DAYS - 1)).isoformat()
    path = (
        '"/api/v1/mood/" .. days[math.random(#days)] .. "/"'
        if method == "PUT"
        else f'"/api/v1/mood/?from={start}&to={today.isoformat()}"'
    )
    body = '"{\\"score\\": " .. math.random(10) .. "}"' if method == "PUT" else "nil"
    return f"""
tokens = {{{tokens}}}
days = {{{day_list}}}
request = function()
  local headers = {{}}
  headers["Authorization"] = "Token " .. tokens[math.random(#tokens)]
  headers["Content-Type"] = "application/json"
  return wrk.format("{method}", {path}, headers, {body})
end
"""


class Server:
    """gunicorn serving one WSGI application with ``workers`` sync workers."""

    def __init__(self, *, application: str, settings: str, workers: int, env: dict[str, str]):
        self.port = _free_port()
        # gunicorn's own messages and any traceback, for when a side fails.
        self.log = tempfile.NamedTemporaryFile(prefix="bcbt-gunicorn-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                application,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": settings},
            stdout=self.log,
            stderr=self.log,
        )
        self.workers = workers
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start-up")
            if len(_children(self.process.pid)) >= self.workers:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within a minute")

    def log_tail(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def _load(server: Server, script: Path, seconds: float, side: Side) -> None:
    url = f"http://127.0.0.1:{server.port}"
    # A worker's first requests import every view and open its connections, which takes
    # seconds on a busy machine: load each server until it answers briskly before measuring.
    for _ in range(0 if side.rps else 20):
        warm = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{server.workers}",
                "-d3s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            check=True,
            text=True,
        )
        if parse_wrk(warm.stdout)[0] >= 20 * server.workers:
            break
    before = worker_cpu_seconds(server.process.pid)
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{2 * server.workers}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        check=True,
        text=True,
    )
    after = worker_cpu_seconds(server.process.pid)
    requests, elapsed, failed = parse_wrk(result.stdout)
    side.rps.append(requests / elapsed)
    side.cpu_ms.append(1000 * (after - before) / max(1, requests))
    side.errors += failed
    if failed or not requests:
        print(f"  {side.name}: {failed} of {requests} requests failed; the server said:")
        print(server.log_tail())


def _patients_with_history(count: int) -> list[str]:
    from django.utils import timezone

    from accounts.models import User
    from bench.mood import _patients
    from moodlog.models import MoodRating

    keys = [header.removeprefix("Token ") for header in _patients(count, "bench-http-")]
    today = timezone.localdate()
    now = timezone.now()
    MoodRating.objects.bulk_create(
        (
            MoodRating(
                patient_id=patient_id,
                day=today - datetime.timedelta(days=back),
                score=1 + (patient_id + back) % 10,
                recorded_at=now,
                updated_at=now,
            )
            for patient_id in User.objects.filter(username__startswith="bench-http-").values_list(
                "pk", flat=True
            )
            for back in range(HISTORY_DAYS)
        ),
        batch_size=5_000,
    )
    return keys


def _environment_for_servers() -> dict[str, str]:
    from django.conf import settings
    from django.db import connection

    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "ERROR",
        # Many phones at once, as in a real evening: the limit is counted but not reached.
        "BCBT_MOOD_WRITE_RATE": "100000/min",
        "PYTHONPATH": str(ROOT),
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    return env


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} ({min(values):.2f}-{max(values):.2f})"


def measure(*, rounds: int, seconds: float, workers: int) -> dict[str, tuple[Side, Side]]:
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql" or shutil.which("wrk") is None:
        raise RuntimeError("The HTTP benchmark needs PostgreSQL (DATABASE_URL) and wrk.")
    keys = _patients_with_history(PATIENTS // (10 if _quick() else 1))
    today = timezone.localdate()
    days = [(today - datetime.timedelta(days=back)).isoformat() for back in range(14)]
    env = _environment_for_servers()
    results: dict[str, tuple[Side, Side]] = {}
    servers = {
        "bcbt": Server(
            application="bcbt.wsgi:application", settings="bcbt.settings", workers=workers, env=env
        ),
        "floor": Server(
            application="bench.floor.wsgi:application",
            settings="bench.floor.settings",
            workers=workers,
            env=env,
        ),
    }
    try:
        with tempfile.TemporaryDirectory(prefix="bcbt-wrk-") as folder:
            for method, label in (("PUT", "PUT /api/v1/mood/{date}/"), ("GET", "GET 30 days")):
                script = Path(folder) / f"{method}.lua"
                script.write_text(wrk_script(keys=keys, days=days, method=method, today=today))
                ours, floor = Side("bcbt"), Side("floor")
                for round_number in range(rounds):
                    order = [(ours, "bcbt"), (floor, "floor")]
                    for side, name in order if round_number % 2 == 0 else reversed(order):
                        _load(servers[name], script, seconds, side)
                results[label] = (ours, floor)
    finally:
        for server in servers.values():
            server.stop()
    return results


def run() -> dict[str, tuple[Side, Side]]:
    rounds = 1 if _quick() else int(os.environ.get("BCBT_BENCH_ROUNDS", "5"))
    seconds = 1.0 if _quick() else float(os.environ.get("BCBT_BENCH_SECONDS", "4"))
    workers = int(os.environ.get("BCBT_BENCH_WORKERS", "3"))
    results = measure(rounds=rounds, seconds=seconds, workers=workers)
    print(
        f"Mood API over HTTP against the floor (gunicorn, {workers} sync workers each, wrk,"
        f" {rounds} alternating rounds of {seconds:g} s; median (range))"
    )
    for label, (ours, floor) in results.items():
        print(f"  {label}")
        for side in (ours, floor):
            print(
                f"    {side.name:6} {_summary(side.rps)} requests/s"
                f"   {_summary(side.cpu_ms)} ms worker CPU per request"
                + (f"   ({side.errors} failed)" if side.errors else "")
            )
        throughput = [a / b for a, b in zip(ours.rps, floor.rps, strict=True) if b]
        cpu = [b / a for a, b in zip(ours.cpu_ms, floor.cpu_ms, strict=True) if a]
        verdict = "meets" if statistics.median(cpu) >= GOAL else "BELOW"
        print(
            f"    ratio: throughput {_summary(throughput)}, CPU floor/bcbt {_summary(cpu)}"
            f"  ({verdict} the goal of {GOAL})"
        )
    if any(side.errors for pair in results.values() for side in pair):
        raise SystemExit("Some requests failed; the figures above are not valid.")
    return results


def details(results: dict[str, tuple[Side, Side]]) -> dict[str, Any]:
    """The figures as plain data (for tests and the README)."""
    return {
        label: {side.name: {"rps": side.rps, "cpu_ms": side.cpu_ms} for side in pair}
        for label, pair in results.items()
    }
