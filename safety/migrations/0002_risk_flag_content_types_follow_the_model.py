"""Data: the content types of the moved models follow them from care to safety, so the
permissions granted on them (and admin log entries) keep pointing at the same rows."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("riskflag", "historicalriskflag"):
        # On a database migrated from scratch neither exists yet; post_migrate creates them.
        if content_type.objects.filter(app_label="safety", model=model).exists():
            continue
        content_type.objects.filter(app_label="care", model=model).update(app_label="safety")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in ("riskflag", "historicalriskflag"):
        if content_type.objects.filter(app_label="care", model=model).exists():
            continue
        content_type.objects.filter(app_label="safety", model=model).update(app_label="care")


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0001_risk_flag_moved_from_care"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
