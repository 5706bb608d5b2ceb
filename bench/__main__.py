"""``python -m bench [name ...] [--seconds S]``: run the benchmarks (all of them by default).

To add a benchmark, write ``bench/<name>.py`` with a ``run()`` and add ``"<name>"`` to
``BENCHMARKS``. Django is set up, with production-like settings (DEBUG off) and a throwaway
database, before any ``run()`` is called. A ``run()`` that returns a list of
``bench.report.Figure`` has its figures repeated in the summary table printed at the end;
anything else it returns is left out of the summary.
"""

from __future__ import annotations

import argparse
import importlib
import os
import secrets
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.report import Figure, summary_print

BENCHMARKS = ["http", "mood", "notifications", "pages", "dispatch", "exports", "reports"]


def _environment() -> None:
    """Production-like settings for a local run: DEBUG off (it records every query), no HTTPS
    redirect for the in-process client, and a secret key made up for this run only."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcbt.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    # Production settings refuse to start without the https address links point at.
    os.environ.setdefault("BCBT_BASE_URL", "https://bench.invalid")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    # WhiteNoise notes that collectstatic has not run; the benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Create, migrate and finally drop a database just for this run; yields its vendor."""
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="bcbt-bench-") as folder:
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "postgresql":
            test_settings["NAME"] = f"{connection.settings_dict['NAME']}_bench"
        else:
            test_settings["NAME"] = str(Path(folder) / "bench.sqlite3")
        original_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield connection.vendor
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"Some of: {', '.join(BENCHMARKS)}.")
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BCBT_BENCH_SECONDS", "4")),
        help="How long to measure each side of a comparison (default 4).",
    )
    arguments = parser.parse_args(argv)
    unknown = sorted(set(arguments.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)}")
    os.environ["BCBT_BENCH_SECONDS"] = str(arguments.seconds)

    _environment()
    import django

    django.setup()
    with throwaway_database() as vendor:
        print(f"bcbt benchmarks on {vendor}, {arguments.seconds:g} s per side")
        figures: list[Figure] = []
        for name in arguments.names or BENCHMARKS:
            returned = importlib.import_module(f"bench.{name}").run()
            if isinstance(returned, list):
                figures.extend(item for item in returned if isinstance(item, Figure))
        summary_print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
