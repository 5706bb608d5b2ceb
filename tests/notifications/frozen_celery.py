"""Run ``celery`` with the clock starting at the test's instant, so a real worker started by a
test lives at the same moment as the test (``BCBT_TEST_NOW``), not at the wall clock.

Usage: ``python -m tests.notifications.frozen_celery -A bcbt worker ...`` with
``BCBT_WORKER_NOW`` set to an ISO 8601 instant. The clock ticks from there; the pool's
processes are forked from this one and keep the travelled clock.
"""

from __future__ import annotations

import datetime
import os
import runpy
import sys

import time_machine


def main() -> None:
    moment = datetime.datetime.fromisoformat(os.environ["BCBT_WORKER_NOW"])
    time_machine.travel(moment, tick=True).start()
    sys.argv = ["celery", *sys.argv[1:]]
    runpy.run_module("celery", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
