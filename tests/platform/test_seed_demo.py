from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from care.models import AppointmentStatus, Episode


@pytest.mark.django_db
def test_seed_demo_creates_the_people_in_product_md(settings, capsys) -> None:
    settings.BCBT_DEMO_PASSWORD = "a-demo-password-for-tests"
    call_command("seed_demo", patients=3, days=10, seed=1)
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["admin"] == Role.SERVICE_ADMIN
    assert roles["pwp"] == Role.PWP
    assert roles["pwp2"] == Role.PWP
    assert roles["navigator"] == Role.NAVIGATOR
    for name in ("patient", "patient001", "patient002", "patient003"):
        assert roles[name] == Role.PATIENT
        assert User.objects.get(username=name).email == f"{name}@example.org"
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="patient").check_password("a-demo-password-for-tests")
    caseloads = {
        pwp: set(
            Episode.objects.filter(pwp__username=pwp).values_list("patient__username", flat=True)
        )
        for pwp in ("pwp", "pwp2")
    }
    assert caseloads["pwp"]
    assert caseloads["pwp2"]
    assert not caseloads["pwp"] & caseloads["pwp2"]
    patient_episode = Episode.objects.get(patient__username="patient")
    assert patient_episode.appointments.count() == 11
    assert patient_episode.appointments.exclude(status=AppointmentStatus.SCHEDULED).exists()
    assert "a-demo-password-for-tests" in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_twice_unless_reset(settings) -> None:
    call_command("seed_demo", patients=1, days=5, seed=1)
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", patients=1, days=5, seed=1)
    call_command("seed_demo", patients=1, days=5, seed=1, reset=True)
    assert User.objects.filter(username="patient").count() == 1


@pytest.mark.django_db
def test_seed_demo_is_deterministic_for_a_seed() -> None:
    def snapshot() -> list[tuple[str, str, str]]:
        return sorted(
            (episode.patient.username, str(episode.started_on), str(episode.pwp))
            for episode in Episode.objects.select_related("patient", "pwp")
        )

    call_command("seed_demo", patients=5, days=5, seed=42)
    first = snapshot()
    call_command("seed_demo", patients=5, days=5, seed=42, reset=True)
    assert snapshot() == first


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_when_debug_is_off(settings) -> None:
    settings.DEBUG = False
    settings.BCBT_SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("seed_demo", patients=1, days=5, seed=1)
    assert not User.objects.exists()


def test_seed_demo_exits_non_zero_with_a_clear_message_under_production_settings() -> None:
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    environment = {
        key: value
        for key, value in os.environ.items()
        # Production settings: none of the test run's Django or pytest variables.
        if not key.startswith(("DJANGO_", "BCBT_", "PYTEST"))
    }
    environment.update(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, BCBT_BASE_URL="https://bcbt.example.org"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr
