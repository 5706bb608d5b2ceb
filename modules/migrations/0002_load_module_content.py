"""Load the module content shipped in modules/content/ so that a new database (production's
migrate step, a fresh ``make run``) has the modules at once. Later content edits are loaded by
``python manage.py load_modules`` (``make run`` runs it every time)."""

from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from modules.services import modules_load

    modules_load(
        module_model=apps.get_model("modules", "Module"),
        version_model=apps.get_model("modules", "ModuleVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("modules", "0001_modules_programmes_assignments")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
