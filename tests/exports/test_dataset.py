"""The monthly data set extract (issue 14): one row per care contact and one per ended episode,
with coded measures and the outcome, from the console (service admin only) and the command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from care.models import AuditEvent
from exports.dataset import COLUMNS, dataset_lines, dataset_month_parse
from tests.console.reports_fixture import (
    in_june_2026,  # noqa: F401 - a fixture the tests use by name
    reports_fixture_build,
)
from tests.factories import ServiceAdminFactory, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_june_2026")]
# A valid NHS number (its last digit is the Modulus 11 check digit of the first nine).
NHS_NUMBER = "9434765919"


@pytest.fixture
def built():
    built = reports_fixture_build()
    patient = built.episodes["one"].patient
    patient.nhs_number = NHS_NUMBER
    patient.save(update_fields=["nhs_number"])
    # Another service's May, which must not appear.
    reports_fixture_build(service=ServiceFactory.create())
    return built


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _extract(built) -> str:
    return "".join(dataset_lines(dataset_month_parse(service=built.service, value="2026-05")))


def test_one_row_per_contact_and_per_ended_episode(built) -> None:
    text = _extract(built)
    assert text.splitlines()[0].split(",") == list(COLUMNS)
    rows = _rows(text)
    contacts = [row for row in rows if row["record_type"] == "contact"]
    endings = [row for row in rows if row["record_type"] == "episode_end"]
    # May's appointments: episode 1 (4) + episode 2 (2) + episode 3 (3) + episode 4 (3) = 12.
    assert len(contacts) == 12
    # Episodes 1, 2 and 4 ended in May.
    ended = {str(built.episodes[name].pk) for name in ("one", "two", "four")}
    assert {row["episode_id"] for row in endings} == ended
    assert len(endings) == 3
    assert {row["service"] for row in rows} == {built.service.slug}


def test_a_contact_row_says_when_what_kind_and_whether_attended(built) -> None:
    one = built.episodes["one"]
    rows = [
        row
        for row in _rows(_extract(built))
        if row["record_type"] == "contact" and row["episode_id"] == str(one.pk)
    ]
    assert [
        (row["contact_date"], row["contact_time"], row["contact_kind"], row["contact_attendance"])
        for row in rows
    ] == [
        ("2026-05-04", "10:00", "face_to_face", "attended"),
        ("2026-05-11", "10:00", "online", "attended"),
        ("2026-05-18", "10:00", "face_to_face", "did_not_attend"),
        ("2026-05-25", "10:00", "online", "attended"),
    ]
    assert {row["nhs_number"] for row in rows} == {NHS_NUMBER}
    assert {row["first_contact_date"] for row in rows} == {"2026-05-04"}
    assert {row["treatment_start_date"] for row in rows} == {"2026-05-04"}


def test_an_ended_episode_row_has_coded_first_and_last_scores_and_the_outcome(built) -> None:
    one = built.episodes["one"]
    row = next(
        row
        for row in _rows(_extract(built))
        if row["record_type"] == "episode_end" and row["episode_id"] == str(one.pk)
    )
    assert row["end_date"] == "2026-05-26"
    assert row["end_reason"] == "completed"
    assert row["sessions_attended"] == "3"
    assert row["finished_course"] == "Y"
    assert (row["phq9_code_loinc"], row["phq9_code_snomed"]) == ("44261-6", "720433000")
    assert (row["gad7_code_loinc"], row["gad7_code_snomed"]) == ("70274-6", "445455005")
    # No LOINC or SNOMED CT code for the WSAS: only bcbt's stated local code.
    assert (row["wsas_code_loinc"], row["wsas_code_snomed"]) == ("", "")
    assert row["wsas_code_local"] == "wsas-total"
    assert (row["phq9_first"], row["phq9_last"]) == ("16", "7")
    assert (row["phq9_first_date"], row["phq9_last_date"]) == ("2026-05-03", "2026-05-24")
    assert (row["gad7_first"], row["gad7_last"]) == ("12", "6")
    assert (row["wsas_first"], row["wsas_last"]) == ("", "")
    assert [row[flag] for flag in ("case_at_start", "recovery", "reliable_improvement")] == [
        "Y",
        "Y",
        "Y",
    ]
    assert (row["reliable_deterioration"], row["reliable_recovery"]) == ("N", "Y")
    assert row["outcome_rules_version"] == "nhs-talking-therapies-1"


def test_an_episode_without_paired_scores_has_no_outcome_flags(built) -> None:
    four = built.episodes["four"]
    row = next(
        row
        for row in _rows(_extract(built))
        if row["record_type"] == "episode_end" and row["episode_id"] == str(four.pk)
    )
    assert (row["finished_course"], row["sessions_attended"]) == ("N", "1")
    assert row["end_reason"] == "declined"
    assert row["recovery"] == ""
    assert row["phq9_first"] == ""


def test_the_service_admin_downloads_it_and_the_download_is_audited(built) -> None:
    admin = ServiceAdminFactory.create(service=built.service)
    client = Client()
    client.force_login(admin)
    response = client.get("/service/reports/dataset.csv?month=2026-05")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"bcbt-dataset-{built.service.slug}-2026-05.csv" in response["Content-Disposition"]
    assert len(_rows(response.getvalue().decode())) == 15
    event = AuditEvent.objects.get(action="export.dataset")
    assert event.actor == admin
    assert event.detail == {"month": "2026-05", "contacts": 12, "ended_episodes": 3}


def test_a_month_that_is_not_one_is_refused_with_a_reason(built) -> None:
    client = Client()
    client.force_login(ServiceAdminFactory.create(service=built.service))
    response = client.get("/service/reports/dataset.csv?month=May")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export.dataset").exists()


def test_the_command_writes_the_same_extract(built, tmp_path: Path) -> None:
    out = tmp_path / "may.csv"
    call_command("export_dataset", service=built.service.slug, month="2026-05", out=str(out))
    assert out.read_bytes().decode("utf-8") == _extract(built)
    assert not (tmp_path / "may.csv.partial").exists()
    assert AuditEvent.objects.get(action="export.dataset").actor is None


def test_the_command_refuses_an_unknown_service_or_month(built, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No service"):
        call_command("export_dataset", service="nowhere", month="2026-05", out=str(tmp_path / "x"))
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command(
            "export_dataset", service=built.service.slug, month="2026-5", out=str(tmp_path / "x")
        )
