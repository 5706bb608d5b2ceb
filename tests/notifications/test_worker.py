"""With a real Celery worker on Redis and PostgreSQL: a worker killed mid-batch sends every
notification once and none twice; with Redis down, web requests work, nothing is lost, and the
outbox drains once Redis is back."""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from notifications.models import (
    Notification,
    NotificationKind,
    NotificationState,
    ServiceNotificationPolicy,
)
from notifications.services import (
    notification_enqueue,
    notification_enqueue_for_patient,
    notification_preference_update,
)
from tests.notifications.backends import RECORD_TABLE

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def broker_url_for(redis_url: str) -> str:
    """The tests' broker: Redis database 6 on the same server (BCBT_TEST_BROKER_URL overrides)."""
    configured = os.environ.get("BCBT_TEST_BROKER_URL")
    if configured:
        return configured
    return urlunparse(urlparse(redis_url)._replace(path="/6"))


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


class Worker:
    """A real ``celery worker`` process group against the test database and broker."""

    def __init__(self, *, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "tests.notifications.frozen_celery",
            "-A",
            "bcbt",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"notifications-test-{uuid.uuid4().hex[:8]}@%h",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                # The worker's clock starts where the test's clock is now, never the wall clock.
                env={**self.env, "BCBT_WORKER_NOW": timezone.now().isoformat()},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL the whole process group we started: the main process and its pool."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def worker(postgres, redis_url, tmp_path) -> Iterator[Callable[[], Worker]]:
    broker = broker_url_for(redis_url)
    redis.Redis.from_url(broker).flushdb()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {RECORD_TABLE} "
            "(id serial PRIMARY KEY, notification_id bigint NOT NULL, worker_pid integer NOT NULL)"
        )
        cursor.execute(f"TRUNCATE {RECORD_TABLE}")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "PYTEST"))
    }
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=broker,
        DJANGO_SETTINGS_MODULE="bcbt.settings_test",
        DJANGO_EMAIL_BACKEND="tests.notifications.backends.DatabaseRecordingBackend",
        BCBT_TEST_EMAIL_DELAY="0.1",
        NOTIFICATIONS_EMAIL_PER_SECOND="1000",
        # A killed worker's claims are taken over after this long (300 s in production).
        NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS="6",
        PYTHONPATH=str(settings.BASE_DIR),
    )
    started: list[Worker] = []

    def make() -> Worker:
        one = Worker(env=env, log=tmp_path / "worker.log")
        started.append(one)
        return one

    yield make
    for one in started:
        one.kill()
    redis.Redis.from_url(broker).flushdb()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RECORD_TABLE}")


def publish(redis_url: str, task: str, *args: str) -> None:
    """Publish as beat or the sweep task would, to the tests' broker."""
    with Celery("bcbt-test-publisher", broker=broker_url_for(redis_url)) as app:
        app.send_task(task, args=list(args))


def recorded() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT notification_id FROM {RECORD_TABLE}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_batch_sends_every_notification_once(
    worker, redis_url, pwp, tmp_path
) -> None:
    total = 60
    for number in range(total):
        notification_enqueue(
            key=f"kill-test:{number}",
            recipient=pwp,
            kind=NotificationKind.STAFF_ALERT,
            subject="A risk flag needs your review",
            body="Sign in to review it.",
        )
    first = worker()
    first.start()
    for _ in range(3):
        publish(redis_url, "notifications.dispatch", "email")
    wait_for(lambda: len(recorded()) >= 12, timeout=120, what="the worker to start sending")
    first.kill()

    sent_before = set(
        Notification.objects.filter(state=NotificationState.SENT).values_list("id", flat=True)
    )
    accepted_before = set(recorded())
    assert 12 <= len(accepted_before) < total, "the kill must land in the middle of the batch"
    # Everything marked sent was accepted. What was accepted but not yet recorded when the
    # worker died is the duplicate window (README): at most the sends in flight, 2 processes
    # with 8 threads each.
    in_window = accepted_before - sent_before
    assert sent_before <= accepted_before
    assert len(in_window) <= 16

    second = worker()
    second.start()
    # Beat's ticks (every few seconds here): each sweep finds what is left, including the dead
    # worker's claims once they are older than the claim timeout, and publishes dispatch tasks.
    deadline = time.monotonic() + 180
    while Notification.objects.filter(state=NotificationState.SENT).count() < total:
        assert time.monotonic() < deadline, "timed out waiting for the outbox to drain"
        publish(redis_url, "notifications.sweep")
        time.sleep(4)
    second.kill()

    sends = recorded()
    assert set(sends) == set(Notification.objects.values_list("id", flat=True)), "none lost"
    resent = {sent for sent in sends if sends.count(sent) > 1}
    assert resent <= in_window, "only a message in the window at the kill is ever sent twice"
    assert len(sends) - total == len(resent)
    assert len(set(_worker_pids())) >= 2, (tmp_path / "worker.log").read_text()[-2000:]


def _worker_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT worker_pid FROM {RECORD_TABLE}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_with_redis_down_requests_work_nothing_is_lost_and_the_outbox_drains_after(
    worker, redis_url, settings, monkeypatch, patient_in_treatment, pwp, service
) -> None:
    ServiceNotificationPolicy.objects.create(
        service=service, quiet_start=datetime.time(0, 0), quiet_end=datetime.time(0, 0)
    )
    patient = patient_in_treatment("outage-patient")
    notification_preference_update(
        patient=patient,
        service=service,
        mood_reminder=False,
        quiet_start=datetime.time(0, 0),
        quiet_end=datetime.time(0, 0),
        reminder_time=datetime.time(12, 0),
    )

    # Redis "stopped": the cache and the broker point at a port where nothing listens, and any
    # attempt to publish a task fails loudly.
    down = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": down,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.REDIS_URL = down

    def no_broker(*args: object, **kwargs: object) -> None:
        raise AssertionError("a web request tried to publish to the broker")

    monkeypatch.setattr("celery.app.task.Task.apply_async", no_broker)
    monkeypatch.setattr("celery.Celery.send_task", no_broker)

    client = Client()
    client.force_login(patient)
    assert client.get("/notifications/").status_code == 200
    assert client.get("/notifications/settings/").status_code == 200
    saved = client.post(
        "/notifications/settings/",
        {
            "contact_by": "email",
            "in_app": "on",
            "message_received": "on",
            "reminder_time": "12:00",
            "weekly_max": "7",
            "quiet_start": "00:00",
            "quiet_end": "00:00",
        },
    )
    assert saved.status_code == 302
    health = Client().get("/healthz")
    assert health.status_code == 200
    assert health.json()["checks"]["cache"] == "unavailable"
    # What other apps' requests would write while Redis is down: it is all in the database.
    message, _ = notification_enqueue_for_patient(
        key="outage:message",
        patient=patient,
        kind=NotificationKind.MESSAGE_RECEIVED,
        subject="Your therapist has written to you",
        body="Sign in to read it.",
        due_at=timezone.now(),
    )
    alert, _ = notification_enqueue(
        key="outage:alert",
        recipient=pwp,
        patient=patient,
        kind=NotificationKind.STAFF_ALERT,
        subject="A risk flag needs your review",
        body="Sign in to review it.",
    )
    assert {message.state, alert.state} == {NotificationState.PENDING}

    # Redis is back: beat's next tick runs the sweep on a real worker, and the outbox drains.
    monkeypatch.undo()
    one = worker()
    one.start()
    publish(redis_url, "notifications.sweep")
    wait_for(
        lambda: (
            set(
                Notification.objects.filter(id__in=[message.id, alert.id]).values_list(
                    "state", flat=True
                )
            )
            == {NotificationState.SENT}
        ),
        timeout=180,
        what="the outbox to drain after the outage",
    )
    assert sorted(recorded()) == sorted([message.id, alert.id])
