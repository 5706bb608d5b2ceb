"""Production settings: refuse to start without a secret, and pass check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


def _env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BCBT_", "PYTEST"))
    }
    env.update(overrides)
    return env


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = subprocess.run(
        [*MANAGE, "check"], env=_env(DJANGO_DEBUG="0"), capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_check_deploy_with_no_warnings() -> None:
    result = subprocess.run(
        [*MANAGE, "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="a-very-long-random-secret-key-for-this-test-0123456789-abcdefghijkl",
            DJANGO_ALLOWED_HOSTS="bcbt.example.org",
            BCBT_BASE_URL="https://bcbt.example.org",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_passwords_are_hashed_with_argon2_and_need_twelve_characters() -> None:
    from bcbt import settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert {"min_length": 12} in [
        validator.get("OPTIONS") for validator in configured.AUTH_PASSWORD_VALIDATORS
    ]
    with pytest.raises(ValidationError):
        validate_password("short-pass1")
    with pytest.raises(ValidationError):
        validate_password("password1234")  # common


def test_production_settings_never_ask_whether_they_run_under_test() -> None:
    source = (settings.BASE_DIR / "bcbt" / "settings.py").read_text()
    assert "pytest" not in source
    assert "TESTING" not in source
    assert settings.SETTINGS_MODULE == "bcbt.settings_test"
