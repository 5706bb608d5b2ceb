"""Dispatch at scale: N due emails through a local fake GOV.UK Notify that answers in 50 ms, sent
by 1, 2 and 4 worker processes, each claiming batches and sending on its own thread pool.

``BCBT_BENCH_DISPATCH`` chooses the sizes (default "10000,50000"), ``BCBT_BENCH_WORKERS`` the
worker counts (default "1,2,4") and ``BCBT_BENCH_DISPATCH_ROUNDS`` the rounds (default 3 below
50,000 due, 1 from there). Each figure is the time to send them all, against issue 17's goal of
50,000 in 10 minutes with 2 workers (scaled to the size), and each worker count's speed-up over
1 worker against linear. The send rate is unlimited here: with one real Notify key the ceiling
is Notify's 3,000 a minute, whatever the workers (README, "Notifications").
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.report import Figure, figure_print, quick

PROVIDER_SECONDS = 0.05


class _FakeNotify(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(PROVIDER_SECONDS)
        body = json.dumps({"id": "fake"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def _worker() -> None:
    from django.db import connection

    from notifications.dispatch import notifications_dispatch

    connection.close()  # never share the parent's connection after fork
    while notifications_dispatch(channel="email", limit=500).sent:
        pass
    connection.close()


def _fill(count: int) -> None:
    from django.utils import timezone

    from accounts.models import Role, User
    from notifications.models import Notification, NotificationKind, NotificationState

    Notification.objects.all().delete()
    staff = list(User.objects.filter(username__startswith="bench-dispatch-"))
    if not staff:
        staff = User.objects.bulk_create(
            User(username=f"bench-dispatch-{n}", email=f"d{n}@example.org", role=Role.PWP)
            for n in range(100)
        )
    now = timezone.now()
    Notification.objects.bulk_create(
        (
            Notification(
                key=f"bench-dispatch:{n}",
                recipient=staff[n % len(staff)],
                kind=NotificationKind.STAFF_ALERT,
                state=NotificationState.PENDING,
                subject="A risk flag needs your review",
                body="Sign in to review it.",
                due_at=now,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )


def _measure(count: int, workers: int) -> tuple[float, int, int]:
    from django.db import connection

    from notifications.models import Notification, NotificationState

    _fill(count)
    connection.close()
    context = multiprocessing.get_context("fork")
    started = time.monotonic()
    processes = [context.Process(target=_worker) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=1800)
    seconds = time.monotonic() - started
    sent = Notification.objects.filter(state=NotificationState.SENT).count()
    keys = Notification.objects.values("key").distinct().count()
    return seconds, sent, keys


# Issue 17's goal: 50,000 due sent within 10 minutes by 2 worker processes.
GOAL_DUE = 50_000
GOAL_WORKERS = 2
GOAL_SECONDS = 600.0
# GOV.UK Notify's limit per API key: with one real key, the ceiling whatever the workers.
NOTIFY_PER_MINUTE = 3_000


def _rounds(size: int) -> int:
    """Three rounds below 50,000 due, one from there up (50,000 x 3 worker counts is long);
    ``BCBT_BENCH_DISPATCH_ROUNDS`` sets it for every size."""
    if quick():
        return 1
    chosen = os.environ.get("BCBT_BENCH_DISPATCH_ROUNDS")
    if chosen:
        return max(1, int(chosen))
    return 1 if size >= GOAL_DUE else 3


def _figures(size: int, counts: list[int], seconds: dict[int, list[float]]) -> list[Figure]:
    """The time of each worker count against the goal (scaled to ``size``; binding for 2
    workers, whose goal it is), then each count's speed-up over 1 worker against linear."""
    goal = GOAL_SECONDS * size / GOAL_DUE
    if size == GOAL_DUE:
        goal_text = f"{GOAL_SECONDS / 60:g} min goal"
    else:
        goal_text = f"{goal:g} s goal ({GOAL_SECONDS / 60:g} min scaled)"
    figures = []
    for workers in counts:
        times = tuple(seconds[workers])
        rate = size / statistics.median(times)
        figures.append(
            Figure(
                name=f"dispatch {size:,} due, {workers} worker{'s' * (workers > 1)}",
                samples=times,
                unit="s",
                goal=goal,
                goal_text=goal_text,
                binding=workers == GOAL_WORKERS,
                note=f"{rate:,.0f} messages/s",
            )
        )
    if 1 in counts:
        for workers in counts:
            if workers == 1:
                continue
            # Round by round: the same round's 1-worker time over this count's.
            speedups = tuple(
                one / many for one, many in zip(seconds[1], seconds[workers], strict=True)
            )
            figures.append(
                Figure(
                    name=f"dispatch {size:,} due, {workers} workers' speed-up",
                    samples=speedups,
                    unit="x 1 worker",
                    goal=float(workers),
                    goal_text=f"linear ({workers:.1f})",
                    larger_is_better=True,
                    binding=False,
                )
            )
    return figures


def run() -> list[Figure]:
    from django.conf import settings

    # A deep listen queue: 4 workers with 8 threads each connect at once.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeNotify)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.GOVUK_NOTIFY_API_KEY = "bench-" + "0" * 36 + "-" + "0" * 36
    settings.GOVUK_NOTIFY_EMAIL_TEMPLATE_ID = "bench-template"
    settings.GOVUK_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.NOTIFICATIONS_SEND_RATES = {"email": 0.0, "sms": 0.0, "in_app": 0.0}
    # BENCH_QUICK=1 is the smoke run of the plumbing: a few hundred rows, one worker.
    sizes = [
        int(n)
        for n in os.environ.get("BCBT_BENCH_DISPATCH", "300" if quick() else "10000,50000").split(
            ","
        )
    ]
    counts = [
        int(n) for n in os.environ.get("BCBT_BENCH_WORKERS", "1" if quick() else "1,2,4").split(",")
    ]
    print(
        f"\nDispatch: fake Notify answering in {PROVIDER_SECONDS * 1000:.0f} ms with no limit, "
        f"{settings.NOTIFICATIONS_SEND_THREADS} threads and batches of "
        f"{settings.NOTIFICATIONS_CLAIM_BATCH} per worker process; goal {GOAL_DUE:,} due in "
        f"{GOAL_SECONDS / 60:g} min with {GOAL_WORKERS} workers"
    )
    figures: list[Figure] = []
    for size in sizes:
        count = _rounds(size)
        print(
            f"  {size:,} due: {count} round{'s' * (count > 1)}, each worker count in turn"
            + (" (one round only: each takes minutes)" if count == 1 and not quick() else "")
        )
        seconds: dict[int, list[float]] = {workers: [] for workers in counts}
        for number in range(1, count + 1):
            for workers in counts:
                elapsed, sent, _ = _measure(size, workers)
                seconds[workers].append(elapsed)
                # Each measurement as it ends: a long run shows its progress.
                print(f"    round {number}, {workers} workers: {elapsed:.1f} s", flush=True)
                if sent != size:
                    print(f"  FAILED: {workers} workers sent {sent:,} of {size:,}")
                    raise SystemExit(1)
        for figure in _figures(size, counts, seconds):
            figure_print(figure)
            figures.append(figure)
    ceiling = GOAL_DUE / NOTIFY_PER_MINUTE
    print(
        f"  The real ceiling is the provider's: GOV.UK Notify allows {NOTIFY_PER_MINUTE:,} a "
        f"minute per API key ({NOTIFY_PER_MINUTE // 60} a second), so with one key "
        f"{GOAL_DUE:,} take at least {ceiling:.1f} min whatever the workers."
    )
    server.shutdown()
    return figures
