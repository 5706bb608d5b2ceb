from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from care.models import Appointment, AppointmentStatus, Episode

WAI_SR_FILE = """
licence: "Test wording standing in for a licensed copy."
stem: "Test stem"
options: {1: "Seldom-ish", 5: "Always-ish"}
items:
""" + "".join(
    f'  - {{text: "Test item {n}", subscale: {s}}}\n'
    for n, s in [
        (1, "task"),
        (2, "task"),
        (3, "bond"),
        (4, "goal"),
        (5, "bond"),
        (6, "goal"),
        (7, "bond"),
        (8, "goal"),
        (9, "bond"),
        (10, "task"),
        (11, "goal"),
        (12, "task"),
    ]
)

WSAS_FILE = """
licence: "Test wording standing in for a licensed copy."
options: {0: "Not at all", 8: "Very severely"}
items: ["Work test", "Home test", "Social test", "Private test", "Relationships test"]
"""


@pytest.fixture
def wai_sr_file(tmp_path):
    path = tmp_path / "wai-sr.yaml"
    path.write_text(WAI_SR_FILE)
    return path


@pytest.fixture
def wsas_file(tmp_path):
    path = tmp_path / "wsas.yaml"
    path.write_text(WSAS_FILE)
    return path


def reschedule(episode: Episode, *, next_number: int, days_ahead: int = 1) -> None:
    """Put sessions before ``next_number`` in the past (attended), that one ``days_ahead`` days
    from now, and the rest weekly after it."""
    now = timezone.now()
    for appointment in episode.appointments.order_by("number"):
        offset = (appointment.number - next_number) * 7 + days_ahead
        appointment.scheduled_at = now + datetime.timedelta(days=offset)
        appointment.status = (
            AppointmentStatus.ATTENDED
            if appointment.number < next_number
            else AppointmentStatus.SCHEDULED
        )
        appointment.save(update_fields=["scheduled_at", "status"])
    assert isinstance(episode.appointments.first(), Appointment)
