from __future__ import annotations

from django.apps import AppConfig


class ClinicianConfig(AppConfig):
    name = "clinician"
