"""The production stack, checked offline: docker-compose.yml and the static files build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def test_compose_runs_the_production_services() -> None:
    assert {"web", "worker", "beat", "db", "redis"} <= set(COMPOSE["services"])
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:15")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in COMPOSE["services"]["web"]["command"]


def test_every_depends_on_target_exists() -> None:
    services = set(COMPOSE["services"])
    for name, service in COMPOSE["services"].items():
        for target in service.get("depends_on", {}):
            assert target in services, f"{name} depends on missing service {target}"


def test_every_named_volume_is_declared() -> None:
    declared = set(COMPOSE.get("volumes", {}))
    for name, service in COMPOSE["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_long_running_services_have_health_checks() -> None:
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in COMPOSE["services"][name], name


def test_secrets_come_from_the_environment() -> None:
    text = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    assert "${DJANGO_SECRET_KEY:?" in text
    assert "${POSTGRES_PASSWORD:?" in text


def test_dockerfile_runs_as_a_non_root_user_with_runtime_dependencies_only() -> None:
    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    assert "USER bcbt" in dockerfile
    assert "requirements/base.txt" in dockerfile
    assert "requirements/dev.txt" not in dockerfile


def test_production_static_files_build_with_hashed_names(tmp_path: Path) -> None:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "BCBT_"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_STATIC_ROOT=str(tmp_path),
        BCBT_BASE_URL="https://collectstatic.invalid",
    )
    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "collectstatic", "--noinput"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles.json").exists()


def test_gunicorn_takes_its_worker_count_from_the_environment() -> None:
    command = COMPOSE["services"]["web"]["command"]
    assert command[command.index("--workers") + 1] == "${WEB_CONCURRENCY:-3}"


def test_the_number_of_celery_workers_comes_from_the_environment() -> None:
    worker = COMPOSE["services"]["worker"]
    assert worker["deploy"]["replicas"] == "${WORKER_REPLICAS:-1}"
    assert "--concurrency=${WORKER_CONCURRENCY:-2}" in worker["command"]
