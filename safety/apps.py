from __future__ import annotations

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = "Safety: risk flags and the duty queue"

    def ready(self) -> None:
        from care.end_guards import episode_end_guard_register
        from safety.services import episode_end_refused_for_flags

        episode_end_guard_register(name="safety.risk_flags", guard=episode_end_refused_for_flags)
