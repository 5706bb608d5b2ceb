"""Fault scenario: Redis frozen (SIGSTOP) for 30 s under health probes and patient traffic.

Runs against a Redis of its own and a throwaway database on the PostgreSQL server named by
``DATABASE_URL`` (created and dropped here), behind gunicorn started with docker-compose.yml's
arguments. Passes when no request takes 5 s or more, /healthz keeps answering 200 with the
cache "unavailable" while Redis is frozen, and every rating the server acknowledged is there.

    .venv/bin/python -m scripts.faults.redis_freeze
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

from scripts.faults._servers import redis_server, temporary_directory
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


@contextlib.contextmanager
def throwaway_database(name: str) -> Iterator[str]:
    """A new database on the server of ``DATABASE_URL``; dropped afterwards."""
    import psycopg

    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    if base.scheme not in ("postgres", "postgresql"):
        raise RuntimeError("The fault campaign needs DATABASE_URL=postgres://...")
    admin_url = urlunparse(base._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(base._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run() -> dict[str, object]:
    database_name = f"bcbt_faults_redis_{os.getpid()}"
    with (
        redis_server() as redis,
        throwaway_database(database_name) as database_url,
        temporary_directory("bcbt-faults-static-") as static_root,
    ):
        environment = app_environment(
            database_url=database_url, redis_url=redis.url, static_root=static_root
        )
        token, session_key = prepare_database(environment)
        with gunicorn(environment) as port:
            traffic = Traffic(port=port, token=token, session_key=session_key)
            with traffic.running():
                time.sleep(WARM_UP_SECONDS)
                redis.freeze()
                # The window measured: requests that start once everything is frozen and
                # end before the thaw (a health probe waits at most its deadline).
                freeze_start = time.monotonic()
                try:
                    time.sleep(FREEZE_SECONDS)
                finally:
                    freeze_end = time.monotonic() - SETTLE_SECONDS
                    redis.thaw()
                time.sleep(WARM_UP_SECONDS)
            figures = summary(traffic, freeze_start, freeze_end)
            lost = lost_ratings(traffic)
    health_ok = figures["health_statuses_during"] == [200]
    notes = (
        f"redis SIGSTOP {FREEZE_SECONDS:.0f}s; {figures['requests']} requests; healthz during "
        f"freeze: {figures['health_during']} probes, statuses {figures['health_statuses_during']}"
        f", longest {figures['longest_health_s']}s; pages during: "
        f"{figures['page_statuses_during']}; after: {figures['statuses_after']}; slowest: "
        f"{figures['slowest']} (freeze at +0s)"
    )
    return {
        "scenario": "redis_freeze",
        "expected": figures["acknowledged_writes"],
        "sent": int(str(figures["acknowledged_writes"])) - lost,
        "duplicated": 0,
        "lost": lost,
        "sent_in_quiet_hours": 0,
        "longest_request_s": figures["longest_request_s"],
        "notes": notes,
        "failures": [] if health_ok else ["/healthz was not 200 throughout the freeze"],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
