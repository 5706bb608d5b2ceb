"""The documented backup path works: pg_dump's custom format restores into a fresh database."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from accounts.models import User
from care.models import Episode
from moodlog.models import MoodRating
from moodlog.services import mood_rating_record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _libpq_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=db["HOST"] or "127.0.0.1",
        PGPORT=str(db["PORT"] or 5432),
        PGUSER=db["USER"],
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.fixture
def fresh_database(postgres: None) -> Iterator[str]:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed (apt-get install postgresql-client)")
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    env = _libpq_env()
    subprocess.run(["createdb", name], env=env, check=True)
    try:
        yield name
    finally:
        subprocess.run(["dropdb", "--if-exists", name], env=env, check=True)


def test_a_custom_format_dump_restores_into_a_fresh_database(
    fresh_database: str, patient: User, episode: Episode, tmp_path: Path
) -> None:
    today = patient.local_today()
    for days_back in range(3):
        mood_rating_record(
            patient=patient, day=today - datetime.timedelta(days=days_back), score=5, note=""
        )
    tables = {
        "accounts_user": User.objects.count(),
        "care_episode": Episode.objects.count(),
        "moodlog_moodrating": MoodRating.objects.count(),
    }
    assert tables["moodlog_moodrating"] == 3
    env = _libpq_env()
    dump = tmp_path / "bcbt.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "--no-owner", "-f", str(dump), connection.settings_dict["NAME"]],
        env=env,
        check=True,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", fresh_database, str(dump)],
        env=env,
        check=True,
    )
    with psycopg.connect(
        dbname=fresh_database,
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env.get("PGPASSWORD"),
    ) as restored:
        for table, expected in tables.items():
            row = restored.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            assert row is not None, table
            assert row[0] == expected, table
        migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()
        assert migrations is not None
        assert migrations[0] > 0
