"""The production command line: gunicorn with docker-compose.yml's arguments and .env.example's
values, against the test PostgreSQL database and Redis, behind a pretend TLS proxy."""

from __future__ import annotations

import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from care.models import Service
from tests import factories
from tests.notifications.test_worker import broker_url_for, database_url
from tests.operations.env_reads import env_example_values

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
EXAMPLE = env_example_values((ROOT / ".env.example").read_text())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def production_env(postgres: None, redis_url: str, tmp_path: Path) -> dict[str, str]:
    """.env.example's values, with the stack's own addresses pointed at the test services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BCBT_", "GOVUK_", "PYTEST", "EMAIL_"))
    }
    env.update(EXAMPLE)
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=broker_url_for(redis_url),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def gunicorn(production_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = _free_port()
    # Compose interpolates ${NAME:-default} from the environment before it runs the command.
    command = [
        re.sub(
            r"\$\{(\w+):-([^}]*)\}",
            lambda match: production_env.get(match.group(1)) or match.group(2),
            argument,
        )
        for argument in COMPOSE["services"]["web"]["command"]
    ]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[0] = str(Path(sys.executable).with_name("gunicorn"))
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=production_env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        # Wait for the workers to boot (polling the process, not waiting for time to pass).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        assert process.poll() is None, log.read_text()[-3000:]
        yield port, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_with_the_compose_arguments_serves_probes_and_sends_https_links(
    gunicorn: tuple[int, Path], production_env: dict[str, str], tmp_path: Path
) -> None:
    port, log = gunicorn
    service = Service.objects.create(name="Gunicorn test service")
    pwp = factories.PwpFactory.create(username="pwp-gunicorn", service=service)
    patient = factories.PatientFactory.create(username="patient-gunicorn", service=service)
    factories.make_episode(
        patient=patient, pwp=pwp, service=service, started_on=datetime.date(2025, 1, 6)
    )

    # The container's own health probe, as docker-compose.yml writes it, on this port.
    probe = COMPOSE["services"]["web"]["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "python", "-c"]
    code = probe[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr + log.read_text()[-3000:]

    # Behind the TLS proxy: https as the proxy says, with the real host name.
    status, headers, _ = _get(
        port,
        "/api/v1/mood/?from=2026-01-01&secret=query-secret-9c1",
        Host="bcbt.example.org",
        **{"X-Forwarded-Proto": "https"},
    )
    assert status == 401
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    # Plain http is sent to https, and an unknown host is refused.
    status, headers, _ = _get(port, "/api/v1/mood/", Host="bcbt.example.org")
    assert status == 301
    assert headers["Location"].startswith("https://bcbt.example.org/")
    assert _get(port, "/api/v1/mood/", Host="evil.example.com")[0] == 400

    # A reminder sent by the production settings links to BCBT_BASE_URL over https.
    sent = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "send_due_notifications",
            "--at",
            "2026-06-17T19:01:00+01:00",
        ],
        env=production_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert sent.returncode == 0, sent.stderr[-3000:]
    assert "sent: 1" in sent.stdout, sent.stdout
    mail = "".join(path.read_text() for path in (tmp_path / "mail").iterdir())
    assert "patient-gunicorn@example.org" in mail
    links = re.findall(r"https?://[^\s<>\"]+", mail)
    assert links, mail
    assert all(link.startswith(EXAMPLE["BCBT_BASE_URL"] + "/") for link in links), links

    # The request's lines (gunicorn's access line and bcbt's own) are JSON objects carrying its
    # id; no query string reached the log.
    text = log.read_text()
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [entry for entry in entries if entry.get("request_id") == request_id]
    assert {"logger" in entry for entry in mine} == {True, False}, text[-3000:]
    assert all(entry["request_id"] for entry in entries if "status" in entry)
    assert "query-secret-9c1" not in text
