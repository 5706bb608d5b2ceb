"""Fault scenario: PostgreSQL frozen (SIGSTOP on the server and every backend) for 30 s under
health probes and patient traffic.

Runs a PostgreSQL cluster of its own (initdb and pg_ctl under a temporary directory, as the
``postgres`` user when started as root, on a free port) and a Redis of its own, behind
gunicorn started with docker-compose.yml's arguments. Never touches the shared servers.
Passes when no request takes 5 s or more, /healthz answers 503 while the database is frozen,
and every rating the server acknowledged is there once it thaws.

    .venv/bin/python -m scripts.faults.postgres_freeze
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scripts.faults._servers import free_port, redis_server, temporary_directory, wait_for_port
from scripts.faults._web import (
    Traffic,
    app_environment,
    gunicorn,
    lost_ratings,
    prepare_database,
    summary,
)

FREEZE_SECONDS = 30.0
WARM_UP_SECONDS = 5.0
SETTLE_SECONDS = 2.0


def _postgres_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = candidates[0] if candidates else shutil.which("initdb")
    if not found:
        raise RuntimeError("initdb not found (install PostgreSQL server binaries)")
    return Path(found).parent


def _children(pid: int) -> list[int]:
    children = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                children.append(int(Path(stat).parent.name))
    return children


@dataclass
class Cluster:
    data: Path
    port: int
    stopped: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/bcbt"

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def freeze(self) -> None:
        # The postmaster first, so it forks no new backend while we stop the others.
        postmaster = self.postmaster_pid()
        os.kill(postmaster, signal.SIGSTOP)
        self.stopped = [postmaster]
        for pid in _children(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                self.stopped.append(pid)

    def thaw(self) -> None:
        for pid in reversed(self.stopped):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.stopped = []


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    binaries = _postgres_bin()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    with temporary_directory("bcbt-faults-pg-") as root:
        if as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
        data = Path(root) / "data"
        port = free_port()
        subprocess.run(  # noqa: S603
            [
                *as_postgres,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = [*as_postgres, str(binaries / "pg_ctl"), "-D", str(data)]
        subprocess.run(  # noqa: S603
            [*pg_ctl, "-o", options, "-l", str(Path(root) / "log"), "-w", "start"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        cluster = Cluster(data=data, port=port)
        try:
            wait_for_port(port)
            subprocess.run(  # noqa: S603
                [
                    *as_postgres,
                    str(binaries / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "bcbt",
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
            yield cluster
        finally:
            cluster.thaw()
            subprocess.run(  # noqa: S603
                [*pg_ctl, "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )


def run() -> dict[str, object]:
    with (
        postgres_cluster() as cluster,
        redis_server() as redis,
        temporary_directory("bcbt-faults-static-") as static_root,
    ):
        environment = app_environment(
            database_url=cluster.url, redis_url=redis.url, static_root=static_root
        )
        token, session_key = prepare_database(environment)
        with gunicorn(environment) as port:
            traffic = Traffic(port=port, token=token, session_key=session_key)
            with traffic.running():
                time.sleep(WARM_UP_SECONDS)
                cluster.freeze()
                # The window measured: requests that start once everything is frozen and
                # end before the thaw (a health probe waits at most its deadline).
                freeze_start = time.monotonic()
                try:
                    time.sleep(FREEZE_SECONDS)
                finally:
                    freeze_end = time.monotonic() - SETTLE_SECONDS
                    cluster.thaw()
                time.sleep(WARM_UP_SECONDS)
            figures = summary(traffic, freeze_start, freeze_end)
            lost = lost_ratings(traffic)
    health_503 = figures["health_statuses_during"] == [503]
    recovered = figures["statuses_after"] == [200] or figures["statuses_after"] == [200, 201]
    notes = (
        f"postgres SIGSTOP {FREEZE_SECONDS:.0f}s; {figures['requests']} requests; healthz during "
        f"freeze: {figures['health_during']} probes, statuses {figures['health_statuses_during']}"
        f", longest {figures['longest_health_s']}s; pages during: "
        f"{figures['page_statuses_during']}; after: {figures['statuses_after']}; slowest: "
        f"{figures['slowest']} (freeze at +0s)"
    )
    problems = []
    if not health_503:
        problems.append("/healthz was not 503 throughout the freeze")
    if not recovered:
        problems.append("pages did not recover after the thaw")
    return {
        "scenario": "postgres_freeze",
        "expected": figures["acknowledged_writes"],
        "sent": int(str(figures["acknowledged_writes"])) - lost,
        "duplicated": 0,
        "lost": lost,
        "sent_in_quiet_hours": 0,
        "longest_request_s": figures["longest_request_s"],
        "notes": notes,
        "failures": problems,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
