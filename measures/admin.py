from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join

from care.admin_scoping import SHARED, ScopedModelAdmin
from measures.definitions import shipped_instruments
from measures.models import LicensedInstrumentText, MeasuresConfiguration
from measures.selectors import instruments_available


@admin.register(MeasuresConfiguration)
class MeasuresConfigurationAdmin(ScopedModelAdmin):
    service_path = "service"
    list_display = ("service", "session_instruments", "alliance_instrument", "alliance_sessions")
    readonly_fields = ("instrument_availability",)
    fields = (
        "service",
        "session_instruments",
        "session_schedule",
        "alliance_instrument",
        "alliance_sessions",
        "alliance_at_last_session",
        "alliance_gap_threshold",
        "alliance_fall_threshold",
        "risk_review_working_days",
        "instrument_availability",
    )

    @admin.display(description="Which questionnaires patients can be offered")
    def instrument_availability(self, obj: MeasuresConfiguration | None) -> str:
        """Say why a configured questionnaire is not offered (licensed wording not loaded)."""
        available = instruments_available(codes=shipped_instruments().keys())
        rows = []
        for code, instrument in shipped_instruments().items():
            if code in available:
                state = "Offered."
            else:
                state = (
                    "Not offered: its wording is copyrighted and has not been loaded. Run "
                    f"'python manage.py load_licensed_instrument {code} <file>' with the "
                    "wording your service is licensed to use."
                )
            rows.append((instrument.short_name, state))
        return format_html_join("", "<p><strong>{}</strong>: {}</p>", rows)


@admin.register(LicensedInstrumentText)
class LicensedInstrumentTextAdmin(ScopedModelAdmin):
    # One licensed wording serves every service: a service admin may read it, not change it.
    service_path = SHARED
    list_display = ("instrument_code", "instrument_version", "loaded_at", "loaded_by")
    readonly_fields = ("source_sha256", "loaded_at", "loaded_by")

    # Wording is loaded by the management command, which checks it against the structure.
    def has_add_permission(self, request: object) -> bool:
        return False
