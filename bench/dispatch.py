"""Dispatch at scale: N due emails through a local fake GOV.UK Notify that answers in 50 ms, sent
by 1, 2 and 4 worker processes, each claiming batches and sending on its own thread pool.

``BCBT_BENCH_DISPATCH`` chooses the sizes (default "10000,50000") and ``BCBT_BENCH_WORKERS`` the
worker counts (default "1,2,4"). The send rate is unlimited here: with one real Notify key the
ceiling is Notify's 3,000 a minute, whatever the workers (README, "Notifications").
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


def run() -> None:
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
    quick = os.environ.get("BENCH_QUICK") == "1"
    sizes = [
        int(n)
        for n in os.environ.get("BCBT_BENCH_DISPATCH", "300" if quick else "10000,50000").split(",")
    ]
    counts = [
        int(n) for n in os.environ.get("BCBT_BENCH_WORKERS", "1" if quick else "1,2,4").split(",")
    ]
    print(
        f"\nDispatch: fake Notify answering in {PROVIDER_SECONDS * 1000:.0f} ms, "
        f"{settings.NOTIFICATIONS_SEND_THREADS} threads and batches of "
        f"{settings.NOTIFICATIONS_CLAIM_BATCH} per worker process"
    )
    print(f"{'due':>8} {'workers':>8} {'sent':>8} {'seconds':>8} {'per second':>11}")
    for size in sizes:
        for workers in counts:
            seconds, sent, _ = _measure(size, workers)
            print(f"{size:>8,} {workers:>8} {sent:>8,} {seconds:>8.1f} {sent / seconds:>11.0f}")
    server.shutdown()
