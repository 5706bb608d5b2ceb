"""The web side of the freeze scenarios: a throwaway database prepared with migrations and demo
data, gunicorn started with docker-compose.yml's own arguments, and patient traffic plus
health probes that time every request.

Traffic goes only to 127.0.0.1. Every loop is bounded by a deadline and every request by a
client timeout (10 s: above the 5 s the campaign allows, so a slow answer is measured, not
cut off).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scripts.faults._servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLIENT_TIMEOUT = 10.0
LIMIT_SECONDS = 5.0


def app_environment(*, database_url: str, redis_url: str, static_root: str) -> dict[str, str]:
    """The environment docker-compose.yml gives the web container, pointed at our servers."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "BCBT_"))
    }
    environment.update(
        {
            "DJANGO_SECRET_KEY": "fault-campaign-only-0123456789abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url.rsplit("/", 1)[0] + "/1",
            "DJANGO_STATIC_ROOT": static_root,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "BCBT_BASE_URL": "https://127.0.0.1",
            "BCBT_TRUSTED_PROXY_HOPS": "1",
            "BCBT_DEMO_PASSWORD": "fault-campaign-password-2026",
        }
    )
    return environment


def manage(environment: dict[str, str], *args: str, timeout: float = 300) -> str:
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{completed.stderr[-2000:]}")
    return completed.stdout


_PATIENT_ACCESS_SCRIPT = """
from accounts.models import User
from accounts.tokens import device_token_issue
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
patient = User.objects.get(username="patient")
_, key = device_token_issue(user=patient, device_name="fault campaign")
session = SessionStore()
session[SESSION_KEY] = str(patient.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = patient.get_session_auth_hash()
session.create()
print(key, session.session_key)
"""


def prepare_database(environment: dict[str, str]) -> tuple[str, str]:
    """Migrate, load demo data, and return a device token and a session key for 'patient'."""
    manage(environment, "migrate", "--noinput")
    manage(environment, "load_modules")
    manage(environment, "seed_demo", "--patients", "2", "--days", "3")
    manage(environment, "collectstatic", "--noinput")
    token, session_key = manage(environment, "shell", "-c", _PATIENT_ACCESS_SCRIPT).split()[-2:]
    return token, session_key


def compose_gunicorn_arguments(port: int) -> list[str]:
    """docker-compose.yml's web command, bound to 127.0.0.1 on our port."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = [str(part) for part in compose["services"]["web"]["command"]]
    command[0] = str(BIN / "gunicorn")
    return [part if part != "0.0.0.0:8000" else f"127.0.0.1:{port}" for part in command]


def _wait_until_ready(port: int, timeout: float = 120.0) -> None:
    """gunicorn binds its port before its workers have loaded Django; the campaign measures a
    running service, not its start-up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz")
            with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as response:  # noqa: S310
                if response.status == 200:
                    return
        time.sleep(0.5)
    raise TimeoutError(f"gunicorn on port {port} did not become healthy in {timeout} s")


@contextlib.contextmanager
def gunicorn(environment: dict[str, str]) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        compose_gunicorn_arguments(port),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=60)
        _wait_until_ready(port)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass
class Probe:
    path: str
    started: float
    elapsed: float
    status: int
    body: str = ""


@dataclass
class Traffic:
    """Health probes and patient requests, each in its own thread, until ``stop`` is set."""

    port: int
    token: str
    session_key: str
    probes: list[Probe] = field(default_factory=list)
    # The last score the server acknowledged for each day, to check nothing was lost.
    acknowledged: dict[str, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Probe:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=body,
            method=method,
            headers={
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "127.0.0.1",
                **(headers or {}),
            },
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as response:  # noqa: S310
                status, text = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as error:
            status, text = 0, type(error).__name__
        probe = Probe(path, started, time.monotonic() - started, status, text[:300])
        with self._lock:
            self.probes.append(probe)
        return probe

    def health_loop(self) -> None:
        while not self.stop.is_set():
            self.request("/healthz")
            self.stop.wait(1.0)

    def patient_loop(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            self.request("/mood/", headers={"Cookie": f"sessionid={self.session_key}"})
            day = (datetime.date.today() - datetime.timedelta(days=number % 10)).isoformat()  # noqa: DTZ011
            score = 1 + number % 10
            probe = self.request(
                f"/api/v1/mood/{day}/",
                method="PUT",
                data={"score": score},
                headers={
                    "Authorization": f"Token {self.token}",
                    "Content-Type": "application/json",
                },
            )
            if probe.status in (200, 201):
                with self._lock:
                    self.acknowledged[day] = score
            self.stop.wait(0.5)

    @contextlib.contextmanager
    def running(self) -> Iterator[Traffic]:
        threads = [
            threading.Thread(target=self.health_loop, daemon=True),
            threading.Thread(target=self.patient_loop, daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=CLIENT_TIMEOUT + 2)

    def between(self, start: float, end: float, path_prefix: str = "") -> list[Probe]:
        return [
            p for p in self.probes if start <= p.started < end and p.path.startswith(path_prefix)
        ]


def lost_ratings(traffic: Traffic) -> int:
    """Acknowledged ratings whose last acknowledged score is not what the server now holds."""
    lost = 0
    for day, score in traffic.acknowledged.items():
        probe = traffic.request(
            f"/api/v1/mood/{day}/", headers={"Authorization": f"Token {traffic.token}"}
        )
        if probe.status != 200 or json.loads(probe.body or "{}").get("score") != score:
            lost += 1
    return lost


def summary(traffic: Traffic, freeze_start: float, freeze_end: float) -> dict[str, object]:
    """The campaign's figures for a freeze scenario: requests during and after the freeze."""
    during = traffic.between(freeze_start, freeze_end)
    health_during = [p for p in during if p.path == "/healthz"]
    page_during = [p for p in during if p.path != "/healthz"]
    after = traffic.between(freeze_end + 5, float("inf"))
    slowest = max(traffic.probes, key=lambda probe: probe.elapsed, default=None)
    return {
        "slowest": (
            f"{slowest.path} {slowest.status} at +{slowest.started - freeze_start:.1f}s"
            if slowest is not None
            else ""
        ),
        "longest_request_s": round(max((p.elapsed for p in traffic.probes), default=0.0), 2),
        "requests": len(traffic.probes),
        "health_during": len(health_during),
        "health_statuses_during": sorted({p.status for p in health_during}),
        "longest_health_s": round(max((p.elapsed for p in health_during), default=0.0), 2),
        "page_statuses_during": sorted({p.status for p in page_during}),
        "statuses_after": sorted({p.status for p in after}),
        "acknowledged_writes": len(traffic.acknowledged),
    }
