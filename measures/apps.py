from __future__ import annotations

from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"

    def ready(self) -> None:
        # The risk-flag page (safety) shows what a flagged answer was through this describer.
        from measures import flag_sources

        flag_sources.register()
        # Every risk flag (a free-text one too) gets the service's review window from here.
        from measures import review_window

        review_window.register()
