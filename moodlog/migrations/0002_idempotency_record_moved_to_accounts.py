"""IdempotencyRecord now belongs to accounts (see accounts 0007): state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("moodlog", "0001_mood_rating_and_idempotency_record"),
        ("accounts", "0009_idempotency_record_moved_from_moodlog"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
