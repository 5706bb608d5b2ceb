"""Each existing session record and risk flag gets a first version in its history, so the
wording saved before history began is still there after the first amendment."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def _baseline(apps: Any, model_name: str) -> None:
    model = apps.get_model("care", model_name)
    historical = apps.get_model("care", f"Historical{model_name}")
    fields = [field.attname for field in model._meta.concrete_fields]
    now = timezone.now()
    historical.objects.bulk_create(
        (
            historical(
                **{name: getattr(row, name) for name in fields},
                history_date=now,
                history_type="+",
                history_change_reason="Version saved before history was kept",
            )
            for row in model.objects.all().iterator()
        ),
        batch_size=500,
    )


def forwards(apps: Any, schema_editor: Any) -> None:
    _baseline(apps, "SessionRecord")
    _baseline(apps, "RiskFlag")


class Migration(migrations.Migration):
    dependencies = [("care", "0008_session_record_and_risk_flag_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
