"""Fault: the Celery worker is SIGKILLed three times in the middle of a send run.

300 staff alerts are due; a real ``celery worker`` (prefork, 2 processes, 8 sending threads each)
sends them through a local SMTP relay that answers QUIT only after 0.2 s, with a Redis of its own
as the broker. Each time another quarter of the messages has been accepted, the whole worker
process group is SIGKILLed and a new worker started; beat's sweep is published every 2 s. Claims
of a killed worker are taken over after NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS (6 s here, 300 s in
production). The relay is the provider: it counts what it accepted, by Message-ID (one per key).

At each kill it counts the messages the relay had accepted whose row was not yet recorded as sent
(they would go out twice; none since emails are recorded just before their last line), and the
rows recorded as sent whose message the relay never got (lost: the worker was killed between the
record's COMMIT and the last line, README, "Delivery guarantees"). At the end the worker is
stopped warmly, so that the last messages recorded reach the relay before it is read.

``python -m scripts.faults.worker_kill`` prints the result as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from scripts.faults._mail import (
    OK,
    Relay,
    django_environment,
    own_redis,
    result,
    smtp_relay,
    throwaway_database,
)

TOTAL = 300
KILLS = 3
QUIT_DELAY = 0.2
CLAIM_TIMEOUT = 6
DEADLINE_SECONDS = 300


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "bcbt", "worker", "--pool=prefork"]
        command += ["--concurrency=2", "--without-gossip", "--without-mingle"]
        command += [
            "--without-heartbeat",
            "--loglevel=WARNING",
            "-n",
            f"fault-{uuid.uuid4().hex[:8]}@%h",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        """Warm shutdown (SIGTERM): the worker finishes the send runs it has started. Emails are
        recorded as sent just before their last line goes out, so "all rows sent" in the
        database does not yet mean the relay has them all."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=60)
        self.kill()

    def kill(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None


def _publish(broker: str, task: str, *args: str) -> None:
    from celery import Celery

    with Celery("bcbt-fault-publisher", broker=broker) as app:
        app.send_task(task, args=list(args))


def _fill() -> dict[str, int]:
    """300 due staff alerts to 30 PWPs; returns {Message-ID: row id}."""
    from accounts.models import Role, User
    from notifications.channels import message_id_for
    from notifications.models import NotificationKind
    from notifications.services import notification_enqueue

    staff = [
        User.objects.create(username=f"fault-pwp-{n}", email=f"pwp{n}@example.org", role=Role.PWP)
        for n in range(30)
    ]
    ids = {}
    for number in range(TOTAL):
        row, _ = notification_enqueue(
            key=f"fault:worker-kill:{number}",
            recipient=staff[number % len(staff)],
            kind=NotificationKind.STAFF_ALERT,
            subject="A risk flag needs your review",
            body="Sign in to review it.",
        )
        ids[message_id_for(row.key)] = row.id
    return ids


def _sent_ids() -> set[int]:
    from notifications.models import Notification, NotificationState

    return set(
        Notification.objects.filter(state=NotificationState.SENT).values_list("id", flat=True)
    )


def _campaign(
    relay: Relay, env: dict[str, str], broker: str, ids: dict[str, int]
) -> tuple[list[int], list[int]]:
    """Run, kill three times, drain; returns, for each kill, how many were accepted but not
    recorded (a duplicate if sent again) and recorded but not accepted (lost)."""
    windows: list[int] = []
    unaccepted: list[int] = []
    seen: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="bcbt-fault-") as folder:
        worker = Worker(env, Path(folder) / "worker.log")
        try:
            worker.start()
            for _ in range(2):
                _publish(broker, "notifications.dispatch", "email")
            deadline = time.monotonic() + DEADLINE_SECONDS
            for kill in range(1, KILLS + 1):
                target = kill * TOTAL // (KILLS + 1)
                while len(relay.accepted) < target and time.monotonic() < deadline:
                    time.sleep(0.02)
                worker.kill()
                # What the killed worker had written is read by the relay's threads first.
                time.sleep(0.5)
                with relay.lock:
                    accepted = {ids[one.message_id] for one in relay.accepted}
                # Only what this kill caught: an earlier kill's rows may still wait for their
                # claim to time out.
                sent = _sent_ids()
                caught = accepted - sent - seen
                seen |= caught
                windows.append(len(caught))
                unaccepted.append(len(sent - accepted))
                worker.start()
                _publish(broker, "notifications.sweep")
            while len(_sent_ids()) < TOTAL and time.monotonic() < deadline:
                _publish(broker, "notifications.sweep")
                time.sleep(2)
            worker.stop()
        finally:
            worker.kill()
    return windows, unaccepted


def run() -> dict[str, object]:
    django_environment()
    with throwaway_database("worker_kill") as database_url, own_redis() as redis_url:
        from django.conf import settings

        ids = _fill()
        with smtp_relay(mode=OK, quit_delay=QUIT_DELAY) as relay:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST"))}
            env.update(
                DATABASE_URL=database_url,
                REDIS_URL=f"{redis_url}/0",
                CELERY_BROKER_URL=f"{redis_url}/1",
                DJANGO_SETTINGS_MODULE="bcbt.settings",
                DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(relay.port),
                EMAIL_USE_TLS="0",
                EMAIL_TIMEOUT="5",
                # Slow enough that three kills land in the middle of the run.
                NOTIFICATIONS_EMAIL_PER_SECOND="25",
                NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT),
                PYTHONPATH=str(settings.BASE_DIR),
            )
            started = time.monotonic()
            windows, unaccepted = _campaign(relay, env, f"{redis_url}/1", ids)
            seconds = time.monotonic() - started
            accepted = [one.message_id for one in relay.accepted]
        sent = len(_sent_ids())
        return result(
            scenario="worker_kill",
            expected=TOTAL,
            sent=sent,
            duplicated=len(accepted) - len(set(accepted)),
            lost=TOTAL - len(set(accepted)),
            notes=(
                f"{KILLS} SIGKILLs of the worker group, SMTP QUIT answered after {QUIT_DELAY} s: "
                f"{len(accepted)} accepted by the relay, {len(set(accepted))} distinct, "
                f"{sent} rows marked sent, in {seconds:.0f} s; accepted but not yet recorded "
                f"at each kill (the duplicate window): {windows}; recorded as sent but not "
                f"accepted at each kill (lost): {unaccepted}"
            ),
        )


if __name__ == "__main__":
    print(json.dumps(run()))
