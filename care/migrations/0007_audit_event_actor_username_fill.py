"""Copy the acting account's username (and role, where missing) into existing audit rows, so
they keep saying who acted if that account is deleted later."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_actor_username(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("care", "AuditEvent")
    User = apps.get_model("accounts", "User")
    actors = User.objects.filter(pk=OuterRef("actor_id"))
    AuditEvent.objects.filter(actor__isnull=False, actor_username="").update(
        actor_username=Subquery(actors.values("username")[:1])
    )
    AuditEvent.objects.filter(actor__isnull=False, actor_role="").update(
        actor_role=Subquery(actors.values("role")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_sessions_sign_in_links_support_queue"),
        ("care", "0006_audit_event_actor_username"),
    ]

    operations = [
        migrations.RunPython(fill_actor_username, migrations.RunPython.noop, elidable=True),
    ]
