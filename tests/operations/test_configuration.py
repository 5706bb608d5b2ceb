"""Every setting reaches the stack; production refuses a configuration that sends wrong links."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.operations.env_reads import env_example_names, environment_reads

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_env_example_lists_every_variable_the_code_reads() -> None:
    listed = env_example_names((ROOT / ".env.example").read_text())
    reads = environment_reads(ROOT)
    assert "BCBT_BASE_URL" in reads
    assert "DJANGO_SECRET_KEY" in reads
    missing = {name: sorted(files) for name, files in reads.items() if name not in listed}
    assert not missing, f".env.example does not list: {missing}"


def test_the_parser_finds_each_way_of_reading_the_environment() -> None:
    import ast

    from tests.operations.env_reads import _reads

    source = (
        'env.str("A")\nenv.int("B", default=1)\nos.environ.get("C")\n'
        'os.getenv("D")\nx = os.environ["E"]\nos.environ["F"] = "written, not read"\n'
    )
    assert _reads(ast.parse(source)) == {"A", "B", "C", "D", "E"}


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_app_service_takes_its_settings_from_the_env_file(service: str) -> None:
    assert COMPOSE["services"][service]["env_file"] == ".env"


def test_the_release_step_migrates_and_loads_module_content() -> None:
    command = " ".join(COMPOSE["services"]["migrate"]["command"])
    assert "manage.py migrate --noinput" in command
    assert "manage.py load_modules" in command
    assert command.index("migrate --noinput") < command.index("load_modules")
    assert COMPOSE["services"]["web"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }


def test_gunicorn_logs_each_request_without_its_path_or_query_string() -> None:
    command = COMPOSE["services"]["web"]["command"]
    assert "--access-logfile" in command
    log_format = command[command.index("--access-logformat") + 1]
    assert "%({x-request-id}o)s" in log_format
    # %(r)s is the request line and %(q)s the query string; %(U)s the path (may hold tokens).
    for atom in ("%(r)s", "%(q)s", "%(U)s", "%(f)s"):
        assert atom not in log_format


def _start(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BCBT_", "GOVUK_", "PYTEST"))
    }
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="s" * 60)
    env.update(DJANGO_ALLOWED_HOSTS="bcbt.example.org")
    env.update(overrides)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_base_url() -> None:
    result = _start()
    assert result.returncode != 0
    assert "BCBT_BASE_URL must be the https address" in result.stderr


def test_production_refuses_a_base_url_that_is_not_https() -> None:
    result = _start(BCBT_BASE_URL="http://bcbt.example.org")
    assert result.returncode != 0
    assert "BCBT_BASE_URL must be the https address" in result.stderr
    assert "http://bcbt.example.org" in result.stderr


def test_production_starts_with_an_https_base_url() -> None:
    result = _start(BCBT_BASE_URL="https://bcbt.example.org")
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    "notify",
    [
        {"GOVUK_NOTIFY_API_KEY": "key-without-templates"},
        {"GOVUK_NOTIFY_EMAIL_TEMPLATE_ID": "template-without-key"},
        {"GOVUK_NOTIFY_SMS_TEMPLATE_ID": "template-without-key"},
    ],
)
def test_start_up_refuses_half_a_notify_configuration(notify: dict[str, str]) -> None:
    result = _start(BCBT_BASE_URL="https://bcbt.example.org", **notify)
    assert result.returncode != 0
    assert "GOV.UK Notify is half set up" in result.stderr


def test_start_up_accepts_notify_with_a_key_and_a_template() -> None:
    result = _start(
        BCBT_BASE_URL="https://bcbt.example.org",
        GOVUK_NOTIFY_API_KEY="key",
        GOVUK_NOTIFY_SMS_TEMPLATE_ID="sms-template",
    )
    assert result.returncode == 0, result.stderr[-2000:]
