from __future__ import annotations

from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "treatment"
    verbose_name = "Treatment: opening services and episodes across care and modules"
