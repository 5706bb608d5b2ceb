"""Each existing piece of exercise feedback gets a first version in its history, so the wording
saved before history began is still there after the first amendment."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def forwards(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("modules", "ExerciseFeedback")
    historical = apps.get_model("modules", "HistoricalExerciseFeedback")
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


class Migration(migrations.Migration):
    dependencies = [("modules", "0004_exercise_feedback_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
